// The constraints expression: Traefik's table (pkg/provider/constraints/constraints_labels_test.go)
// and what Sluice adds (backticks, precedence, errors that say where).
#include <gtest/gtest.h>

#include <stdexcept>

#include "constraints.hpp"

namespace sluice::docker {
namespace {

const std::map<std::string, std::string> hello{{"hello", "world"}, {"foo", "bar"}};

std::string error_of(std::string_view expr) {
    try {
        constraints::parse(expr);
    } catch (const std::invalid_argument& e) {
        return e.what();
    }
    return "";
}

TEST(constraints, traefiks_table) {
    struct row {
        const char* expr;
        std::map<std::string, std::string> labels;
        bool expected;
    };
    for (const auto& r : std::vector<row>{
             {R"(Label("hello", "world"))", hello, true},
             {R"(Label("hello", "worlds"))", hello, false},
             {R"(Label("hi", "world"))", hello, false},
             {R"(!Label("hello", "world"))", hello, false},
             {R"(Label("hello", "world") && Label("foo", "bar"))", hello, true},
             {R"(Label("hello", "worlds") && Label("foo", "bar"))", hello, false},
             {R"(Label("hello", "world") && !Label("foo", "bar"))", hello, false},
             {R"(Label("hello", "world") || Label("foo", "bar"))", hello, true},
             {R"(Label("hello", "worlds") || Label("foo", "bar"))", hello, true},
             {R"(Label("hello", "world") || !Label("foo", "bar"))", hello, true},
             {R"(Label("hello", "bar"))", {}, false},
             {"", {}, true},
             {R"(LabelRegex("hello", "w\\w+"))", hello, true},
             {R"(LabelRegex("hello", "w\\w+s"))", hello, false},
             {R"(LabelRegex("hi", "w\\w+"))", hello, false},
             {R"(!LabelRegex("hello", "w\\w+"))", hello, false},
         }) {
        EXPECT_EQ(constraints::parse(r.expr).matches(r.labels), r.expected) << r.expr;
    }
    // Traefik's errors: a wrong number of arguments, an unknown function.
    EXPECT_EQ(error_of(R"(Label("hello"))"), "at 1: Label takes 2 arguments (the label's name and its value), not 1");
    EXPECT_NE(error_of(R"(Foo("hello"))").find("unknown function \"Foo\""), std::string::npos);
    // Traefik matches nothing with an invalid regular expression; Sluice says so at start.
    EXPECT_NE(error_of(R"(LabelRegex("hello", "w(\\w+"))").find("invalid regular expression \"w(\\w+\""),
              std::string::npos);
}

TEST(constraints, backticks_precedence_and_a_missing_label) {
    const std::map<std::string, std::string> labels{{"a.team", "blue"}, {"a.tier", "web"}};
    // && binds tighter than ||; parentheses change it.
    EXPECT_TRUE(constraints::parse("Label(`a.team`, `red`) && Label(`x`, `y`) || Label(`a.tier`, `web`)").matches(labels));
    EXPECT_FALSE(constraints::parse("Label(`a.team`, `red`) && (Label(`x`, `y`) || Label(`a.tier`, `web`))").matches(labels));
    EXPECT_TRUE(constraints::parse("  !  !Label(`a.team`,`blue`)  ").matches(labels));
    // A missing label reads as "", as in Traefik.
    EXPECT_TRUE(constraints::parse("Label(`a.missing`, ``)").matches(labels));
    EXPECT_TRUE(constraints::parse("LabelRegex(`a.team`, `^bl`)").matches(labels));
    EXPECT_FALSE(constraints::parse("LabelRegex(`a.team`, `^lue`)").matches(labels));  // unanchored, but ^ holds
    EXPECT_TRUE(constraints::parse(R"(Label("a.team", "bl\"ue") || Label("q", ""))").matches(labels));
    EXPECT_TRUE(constraints::parse("   ").matches(labels));
}

TEST(constraints, errors_say_where) {
    EXPECT_EQ(error_of("Label(`a`, `b`) &&"), "at 19: expected Label(...) or LabelRegex(...), found the end");
    EXPECT_EQ(error_of("Label(`a`, `b`) Label(`c`, `d`)"), "at 17: unexpected \"Label(`c`, `\"");
    EXPECT_EQ(error_of("(Label(`a`, `b`)"), "at 17: expected \")\"");
    EXPECT_EQ(error_of("Label(`a`, `b"), "at 14: unterminated string");
    EXPECT_EQ(error_of("Label(a, `b`)"), "at 7: expected a string in ` or \"");
    EXPECT_EQ(error_of("label(`a`, `b`)"), "at 1: unknown function \"label\" (Label or LabelRegex)");
    EXPECT_NE(error_of(std::string(100000, '(')).find("nested more than 64 levels deep"), std::string::npos);
    EXPECT_NE(error_of(std::string(100000, '!') + "Label(`a`, `b`)").find("nested more than 64"), std::string::npos);
    EXPECT_TRUE(constraints::parse(std::string(60, '!') + "Label(`a`, ``)").matches({}));
}

}  // namespace
}  // namespace sluice::docker
