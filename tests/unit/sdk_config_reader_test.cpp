// The SDK's configuration reader, as a plugin's create() uses it: built against the SDK alone.
#include <gtest/gtest.h>

#include "sluice/sdk/config_reader.hpp"
#include "sluice/sdk/testing/fakes.hpp"

namespace sdk = sluice::sdk;
using namespace std::chrono_literals;

namespace {

// "key: message" per reported error, in order.
std::vector<std::string> lines(const sdk::testing::collecting_errors& errors) {
    std::vector<std::string> out;
    for (const auto& [key, message] : errors.errors) out.push_back(key + ": " + message);
    return out;
}

TEST(sdk_config_reader, booleans_accept_toml_and_label_strings) {
    struct {
        const char* text;
        std::optional<bool> want;
        const char* error;  // "" when none
    } cases[] = {
        {"secure = true", true, ""},
        {"secure = false", false, ""},
        {"Secure = true", true, ""},  // keys match case-insensitively
        {"secure = \"true\"", true, ""},
        {"secure = \"FALSE\"", false, ""},
        {"secure = \"True\"", true, ""},
        {"", std::nullopt, ""},
        {"secure = \"yes\"", std::nullopt, "secure: expected a boolean, found a string"},
        {"\nsecure = 1", std::nullopt, "secure: expected a boolean, found an integer"},
    };
    for (const auto& c : cases) {
        sdk::testing::collecting_errors errors;
        sdk::config_reader config(c.text, errors);
        EXPECT_EQ(config.boolean("secure"), c.want) << c.text;
        EXPECT_EQ(config.finish(), std::string_view(c.error).empty()) << c.text;
        EXPECT_EQ(lines(errors), *c.error ? std::vector<std::string>{c.error} : std::vector<std::string>{}) << c.text;
    }
}

TEST(sdk_config_reader, integers_accept_label_digits_and_check_the_range) {
    struct {
        const char* text;
        std::optional<std::int64_t> want;
        const char* error;
    } cases[] = {
        {"port = 80", 80, ""},
        {"port = \"8080\"", 8080, ""},
        {"port = \"+42\"", 42, ""},
        {"port = 0", 0, ""},
        {"port = 65535", 65535, ""},
        {"port = \"eighty\"", std::nullopt, "port: expected an integer, found a string"},
        {"port = \"80x\"", std::nullopt, "port: expected an integer, found a string"},
        {"port = 1.5", std::nullopt, "port: expected an integer, found a float"},
        {"port = 65536", std::nullopt, "port: value 65536 is out of range [0, 65535]"},
        {"port = \"-1\"", std::nullopt, "port: value -1 is out of range [0, 65535]"},
    };
    for (const auto& c : cases) {
        sdk::testing::collecting_errors errors;
        sdk::config_reader config(c.text, errors);
        EXPECT_EQ(config.integer("port", {0, 65535}), c.want) << c.text;
        config.finish();
        EXPECT_EQ(lines(errors), *c.error ? std::vector<std::string>{c.error} : std::vector<std::string>{}) << c.text;
    }
}

TEST(sdk_config_reader, numbers_take_floats_integers_and_label_strings) {
    struct {
        const char* text;
        std::optional<double> want;
        const char* error;
    } cases[] = {
        {"factor = 1.25", 1.25, ""},
        {"factor = 2", 2.0, ""},
        {"factor = \"1.5\"", 1.5, ""},
        {"factor = \" +3 \"", 3.0, ""},
        {"factor = \"-0.5\"", -0.5, ""},
        {"factor = \"lots\"", std::nullopt, "factor: expected a number, found a string"},
        {"factor = \"1.5x\"", std::nullopt, "factor: expected a number, found a string"},
        {"factor = nan", std::nullopt, "factor: expected a number, found a float"},
        {"factor = inf", std::nullopt, "factor: expected a number, found a float"},
        {"factor = true", std::nullopt, "factor: expected a number, found a boolean"},
    };
    for (const auto& c : cases) {
        sdk::testing::collecting_errors errors;
        sdk::config_reader config(c.text, errors);
        EXPECT_EQ(config.number("factor"), c.want) << c.text;
        config.finish();
        EXPECT_EQ(lines(errors), *c.error ? std::vector<std::string>{c.error} : std::vector<std::string>{}) << c.text;
    }
}

TEST(sdk_config_reader, durations_take_units_or_bare_seconds) {
    struct {
        const char* text;
        std::optional<std::chrono::milliseconds> want;
    } cases[] = {
        {"interval = \"10s\"", 10s},     {"interval = \"250ms\"", 250ms}, {"interval = \"1m30s\"", 90s},
        {"interval = 5", 5s},            {"interval = \"7\"", 7s},        {"interval = \"2h\"", 2h},
        {"interval = \"soon\"", std::nullopt}, {"interval = -1", std::nullopt}, {"interval = true", std::nullopt},
    };
    for (const auto& c : cases) {
        sdk::testing::collecting_errors errors;
        sdk::config_reader config(c.text, errors);
        EXPECT_EQ(config.duration("interval"), c.want) << c.text;
        EXPECT_EQ(errors.errors.size(), c.want ? 0u : 1u) << c.text;
        if (!c.want) {
            EXPECT_NE(errors.errors.at(0).second.find("expected a duration"), std::string::npos);
        }
    }
}

TEST(sdk_config_reader, string_lists_take_arrays_or_comma_separated_labels) {
    using list = std::vector<std::string>;
    struct {
        const char* text;
        std::optional<list> want;
        const char* error;
    } cases[] = {
        {R"(prefixes = ["/a", "/b"])", list{"/a", "/b"}, ""},
        {R"(prefixes = [])", list{}, ""},
        {R"(prefixes = "/a, /b")", list{"/a", "/b"}, ""},
        {R"(prefixes = "/a")", list{"/a"}, ""},
        {R"(prefixes = [" /a "])", list{"/a"}, ""},
        {R"(prefixes = ["/a", 1])", std::nullopt, "prefixes[1]: expected a string, found an integer"},
        {R"(prefixes = ["/a", ""])", std::nullopt, "prefixes[1]: expected a non-empty string"},
        {R"(prefixes = "/a,,/b")", std::nullopt, "prefixes: expected a non-empty string"},
        {R"(prefixes = 3)", std::nullopt, "prefixes: expected an array of strings, found an integer"},
    };
    for (const auto& c : cases) {
        sdk::testing::collecting_errors errors;
        sdk::config_reader config(c.text, errors);
        EXPECT_EQ(config.string_list("prefixes"), c.want) << c.text;
        EXPECT_EQ(lines(errors), *c.error ? std::vector<std::string>{c.error} : std::vector<std::string>{}) << c.text;
    }
}

TEST(sdk_config_reader, fallbacks_apply_when_absent_and_after_a_wrong_type) {
    sdk::testing::collecting_errors errors;
    sdk::config_reader config("path = 3\n", errors);
    EXPECT_EQ(config.string_or("domain", "example.com"), "example.com");
    EXPECT_EQ(config.string_or("path", "/"), "/");
    EXPECT_EQ(config.boolean_or("secure", true), true);
    EXPECT_EQ(config.integer_or("maxAge", 7), 7);
    EXPECT_EQ(config.duration_or("interval", 2s), 2s);
    EXPECT_EQ(config.string_list_or("names", {"x"}), std::vector<std::string>{"x"});
    EXPECT_FALSE(config.finish());
    EXPECT_EQ(lines(errors), std::vector<std::string>{"path: expected a string, found an integer"});
}

TEST(sdk_config_reader, required_values_report_what_is_missing) {
    sdk::testing::collecting_errors errors;
    sdk::config_reader config("value = \"world\"\n", errors);
    EXPECT_EQ(config.required_string("name", "the header to add"), std::nullopt);
    EXPECT_EQ(config.required_string("value", "the value to set"), "world");
    EXPECT_EQ(config.required_boolean("on", "a switch"), std::nullopt);
    EXPECT_EQ(config.required_integer("port", "a port", {1, 65535}), std::nullopt);
    EXPECT_EQ(config.required_duration("interval", "how often"), std::nullopt);
    EXPECT_EQ(config.required_string_list("prefixes", "some prefixes"), std::nullopt);
    EXPECT_FALSE(config.finish());
    EXPECT_EQ(lines(errors), (std::vector<std::string>{"name: missing: the header to add", "on: missing: a switch",
                                                       "port: missing: a port", "interval: missing: how often",
                                                       "prefixes: missing: some prefixes"}));
}

TEST(sdk_config_reader, dotted_paths_and_sub_readers_reach_nested_tables) {
    sdk::testing::collecting_errors errors;
    sdk::config_reader config(R"(
[Cookie]
Name = "session"
secure = "true"
[[servers]]
url = "http://a"
[[servers]]
url = "http://b"
weight = 3
)",
                              errors);
    EXPECT_EQ(config.string("cookie.name"), "session");
    auto cookie = config.table("cookie");
    ASSERT_TRUE(cookie);
    EXPECT_EQ(cookie->boolean("secure"), true);
    auto servers = config.tables("servers");
    ASSERT_EQ(servers.size(), 2u);
    EXPECT_EQ(servers[0].string("url"), "http://a");
    EXPECT_EQ(servers[1].string("url"), "http://b");
    EXPECT_EQ(servers[1].integer_or("weight", 1), 3);
    EXPECT_TRUE(config.finish()) << (errors.errors.empty() ? "" : errors.errors[0].second);
}

TEST(sdk_config_reader, errors_in_nested_tables_carry_the_whole_key_path) {
    sdk::testing::collecting_errors errors;
    sdk::config_reader config("[cookie]\nmaxAge = \"long\"\n[[servers]]\nurl = 1\n", errors);
    EXPECT_EQ(config.table("cookie")->integer("maxAge"), std::nullopt);
    EXPECT_EQ(config.tables("servers").at(0).string("url"), std::nullopt);
    EXPECT_EQ(config.string("cookie.name.first"), std::nullopt);  // absent: not an error
    EXPECT_EQ(config.integer("cookie.maxAge.x"), std::nullopt);   // through a value: an error
    EXPECT_EQ(lines(errors), (std::vector<std::string>{
                                 "cookie.maxAge: expected an integer, found a string",
                                 "servers[0].url: expected a string, found an integer",
                                 "cookie.maxAge: expected a table, found a string"}));
}

TEST(sdk_config_reader, unknown_keys_are_reported_with_a_suggestion) {
    struct {
        const char* text;
        std::vector<std::string> want;
    } cases[] = {
        {"prefixes = []", {}},
        {"prefixs = []", {"prefixs: unknown key (did you mean \"prefixes\"?)"}},
        {"FORCESLASH = true", {}},  // the same key, in another case
        {"forceSlahs = true", {"forceSlahs: unknown key (did you mean \"forceSlash\"?)"}},
        {"colour = 1",
         {"colour: unknown key (this table takes: prefixes, forceSlash, cookie)"}},
        {"[cookie]\nnmae = \"x\"", {"cookie.nmae: unknown key (did you mean \"name\"?)"}},
        // A table nothing read is one unknown key, not one per key inside it.
        {"[extra]\na = 1\nb = 2", {"extra: unknown key (this table takes: prefixes, forceSlash, cookie)"}},
    };
    for (const auto& c : cases) {
        sdk::testing::collecting_errors errors;
        sdk::config_reader config(c.text, errors);
        config.string_list("prefixes");
        config.boolean("forceSlash");
        if (auto cookie = config.table("cookie")) cookie->string("name");
        EXPECT_EQ(config.finish(), c.want.empty()) << c.text;
        EXPECT_EQ(lines(errors), c.want) << c.text;
    }
}

TEST(sdk_config_reader, a_table_that_reads_nothing_takes_no_options) {
    sdk::testing::collecting_errors errors;
    sdk::config_reader config("fast = true\n", errors);
    EXPECT_FALSE(config.finish());
    EXPECT_EQ(lines(errors), std::vector<std::string>{"fast: unknown key: this table takes no options"});
    sdk::testing::collecting_errors none;
    EXPECT_TRUE(sdk::config_reader("  \n", none).finish());
}

TEST(sdk_config_reader, unknown_keys_are_reported_once_by_nested_and_outer_finish) {
    sdk::testing::collecting_errors errors;
    sdk::config_reader config("[cookie]\nname = \"a\"\ncolor = 1\n", errors);
    auto cookie = config.table("cookie");
    cookie->string("name");
    EXPECT_FALSE(cookie->finish());
    EXPECT_FALSE(config.finish());
    EXPECT_EQ(errors.errors.size(), 1u);
    EXPECT_EQ(errors.errors.at(0).first, "cookie.color");
}

TEST(sdk_config_reader, a_syntax_error_is_one_error_with_its_line) {
    sdk::testing::collecting_errors errors;
    sdk::config_reader config("name = \"a\"\nprefixes = [", errors);
    EXPECT_EQ(config.required_string_list("prefixes", "some prefixes"), std::nullopt);
    EXPECT_EQ(config.string_or("name", "fallback"), "fallback");
    EXPECT_FALSE(config.finish());
    ASSERT_EQ(errors.errors.size(), 1u);
    EXPECT_EQ(errors.errors[0].first, "");
    EXPECT_NE(errors.errors[0].second.find("not valid TOML"), std::string::npos) << errors.errors[0].second;
    EXPECT_NE(errors.errors[0].second.find("line 2"), std::string::npos) << errors.errors[0].second;
}

TEST(sdk_config_reader, plugin_findings_are_reported_at_the_key) {
    sdk::testing::collecting_errors errors;
    sdk::config_reader config("\nname = \"\"\n", errors);
    EXPECT_EQ(config.string("name"), "");
    EXPECT_TRUE(config.ok());
    config.error("name", "expected a non-empty string");
    config.error("", "the table as a whole");
    EXPECT_FALSE(config.ok());
    EXPECT_EQ(lines(errors), (std::vector<std::string>{"name: expected a non-empty string",
                                                       ": the table as a whole"}));
}

TEST(sdk_text, edit_distance_ignores_case_and_suggestions_need_a_close_spelling) {
    EXPECT_EQ(sdk::edit_distance("prefixes", "PREFIXES"), 0u);
    EXPECT_EQ(sdk::edit_distance("prefixs", "prefixes"), 1u);
    EXPECT_EQ(sdk::edit_distance("", "abc"), 3u);
    EXPECT_EQ(sdk::closest_spelling("nmae", {"name", "path"}), "name");
    EXPECT_EQ(sdk::closest_spelling("colour", {"name", "path"}), std::nullopt);
    EXPECT_EQ(sdk::closest_spelling("x", {}), std::nullopt);
}

}  // namespace
