// The SDK's generated C functions: exceptions stay on the plugin's side of the boundary,
// optional hooks are NULL when a type lacks them, per-request state is freed, and what the
// SDK hands an author (host, sink, server set) lives as long as documented.
#include <chrono>
#include <stdexcept>

#include <gtest/gtest.h>

#include "sluice/sdk/declare.hpp"
#include "sluice/sdk/testing/fakes.hpp"

namespace sdk = sluice::sdk;
using namespace sluice::sdk::testing;

namespace {

struct identity {
    static constexpr const char* name = "adapter-test";
};

template <class Glue>
loaded_plugin plugin_of() {
    static constexpr sluice_plugin descriptor =
        sdk::detail::describe<Glue>(sdk::balancer_role::strategy, identity::name, "1.0.0", "test", "");
    return loaded_plugin(&descriptor);
}

class throwing_middleware {
public:
    static std::unique_ptr<throwing_middleware> create(sdk::host&, std::string_view, std::string_view config,
                                                       sdk::error_sink&) {
        if (config == "create") throw std::invalid_argument("bad option");
        if (config == "create-unknown") throw 42;
        auto m = std::make_unique<throwing_middleware>();
        m->where_ = config;
        return m;
    }
    sdk::verdict on_request(sdk::request&, sdk::local_reply&) {
        if (where_ == "on_request") throw std::runtime_error("request hook broke");
        return sdk::verdict::proceed;
    }
    void on_response(const sdk::request&, sdk::response&) {
        if (where_ == "on_response") throw std::runtime_error("response hook broke");
    }

private:
    std::string where_;
};

class throwing_picker {
public:
    std::int32_t pick(const sdk::request&, const sdk::server_filter&) { throw std::runtime_error("pick broke"); }
};

class throwing_balancer {
public:
    static std::unique_ptr<throwing_balancer> create(sdk::host&, std::string_view, std::string_view config,
                                                     sdk::error_sink&) {
        auto b = std::make_unique<throwing_balancer>();
        b->throw_in_picker_ = config == "create_picker";
        return b;
    }
    std::unique_ptr<throwing_picker> create_picker(const sdk::server_set&, sdk::error_sink&) {
        if (throw_in_picker_) throw std::runtime_error("no picker");
        return std::make_unique<throwing_picker>();
    }

private:
    bool throw_in_picker_ = false;
};

class throwing_provider {
public:
    static std::unique_ptr<throwing_provider> create(sdk::host&, std::string_view, std::string_view,
                                                     sdk::error_sink&) {
        return std::make_unique<throwing_provider>();
    }
    bool start(sdk::document_sink&) { throw std::runtime_error("cannot start"); }
    void stop() { throw std::runtime_error("cannot stop"); }
};

using throwing_middleware_glue = sdk::detail::middleware_glue<throwing_middleware, identity>;
using throwing_balancer_glue = sdk::detail::balancer_glue<throwing_balancer, identity>;
using throwing_provider_glue = sdk::detail::provider_glue<throwing_provider, identity>;

}  // namespace

TEST(sdk_adapters, middleware_hook_exceptions_become_failed_verdicts_and_fault_reports) {
    struct test_case {
        std::string_view throw_in;
        sdk::verdict request, response;
        std::string fault;
    };
    const test_case cases[] = {
        {"", sdk::verdict::proceed, sdk::verdict::proceed, ""},
        {"on_request", sdk::verdict::failed, sdk::verdict::proceed,
         "middleware adapter-test m@file on_request: request hook broke"},
        {"on_response", sdk::verdict::proceed, sdk::verdict::failed,
         "middleware adapter-test m@file on_response: response hook broke"},
    };
    for (const auto& c : cases) {
        fake_host host;
        collecting_errors errors;
        auto mw = plugin_of<throwing_middleware_glue>().create_middleware(host, "m@file", c.throw_in, errors);
        ASSERT_TRUE(mw);
        fake_request req;
        fake_local_reply reply;
        fake_response resp;
        EXPECT_EQ(mw.on_request(req, reply), c.request) << c.throw_in;
        EXPECT_EQ(mw.on_response(req, resp), c.response) << c.throw_in;
        if (c.fault.empty()) EXPECT_TRUE(host.faults.empty());
        else EXPECT_EQ(host.faults, std::vector<std::string>{c.fault});
    }
}

TEST(sdk_adapters, a_throwing_factory_is_a_configuration_error_naming_plugin_and_instance) {
    for (auto [config, message] : {std::pair{"create", "plugin \"adapter-test\" (instance m@file) threw: bad option"},
                                   std::pair{"create-unknown", "plugin \"adapter-test\" (instance m@file) threw: an "
                                                               "exception that is not a std::exception"}}) {
        fake_host host;
        collecting_errors errors;
        EXPECT_FALSE(plugin_of<throwing_middleware_glue>().create_middleware(host, "m@file", config, errors));
        ASSERT_EQ(errors.errors.size(), 1u);
        EXPECT_EQ(errors.errors[0].first, "");
        EXPECT_EQ(errors.errors[0].second, message);
    }
}

TEST(sdk_adapters, a_throwing_picker_returns_pick_failed) {
    fake_host host;
    collecting_errors errors;
    auto b = plugin_of<throwing_balancer_glue>().create_balancer(host, "s@file", "", errors);
    ASSERT_TRUE(b);
    fake_server_set servers({{"http://a", 1}});
    auto p = b.create_picker(servers, errors);
    ASSERT_TRUE(p);
    fake_request req;
    EXPECT_EQ(p.pick(req, servers.accepting()), sdk::pick_failed);
    EXPECT_EQ(host.faults, std::vector<std::string>{"balancer adapter-test s@file pick: pick broke"});

    auto refusing = plugin_of<throwing_balancer_glue>().create_balancer(host, "t@file", "create_picker", errors);
    EXPECT_FALSE(refusing.create_picker(servers, errors));
    ASSERT_EQ(errors.errors.size(), 1u);
    EXPECT_EQ(errors.errors[0].second, "plugin \"adapter-test\" (instance t@file) threw: no picker");
}

TEST(sdk_adapters, a_throwing_provider_does_not_start) {
    fake_host host;
    collecting_errors errors;
    auto p = plugin_of<throwing_provider_glue>().create_provider(host, "docker", "", errors);
    ASSERT_TRUE(p);
    fake_document_sink sink;
    EXPECT_FALSE(p.start(sink));
    // The host stops only what started; the C table's stop is still guarded.
    throwing_provider_glue::ops.stop(p.get());
    EXPECT_EQ(host.faults, (std::vector<std::string>{"provider adapter-test docker start: cannot start",
                                                      "provider adapter-test docker stop: cannot stop"}));
}

TEST(sdk_adapters, optional_hooks_a_type_lacks_are_null) {
    EXPECT_NE(throwing_middleware_glue::ops.on_response, nullptr);
    EXPECT_EQ(throwing_middleware_glue::ops.end_request, nullptr);  // no request_state
    EXPECT_EQ(throwing_balancer_glue::ops.on_response, nullptr);
    EXPECT_EQ(throwing_balancer_glue::ops.on_attempt, nullptr);
    const auto plugin = plugin_of<throwing_balancer_glue>();
    EXPECT_EQ(plugin->abi_major, SLUICE_ABI_MAJOR);
    EXPECT_EQ(plugin->abi_minor, SLUICE_ABI_MINOR);
    EXPECT_EQ(plugin->struct_size, sizeof(sluice_plugin));
    EXPECT_EQ(plugin->balancer->struct_size, sizeof(sluice_balancer_ops));
    EXPECT_EQ(plugin->middleware, nullptr);
    EXPECT_EQ(plugin->provider, nullptr);
}

// ---- per-request state ------------------------------------------------------------------

int live_states = 0;

struct timing {
    explicit timing(std::string m) : method(std::move(m)) { ++live_states; }
    ~timing() { --live_states; }
    timing(const timing&) = delete;
    timing& operator=(const timing&) = delete;
    std::string method;
};

// Remembers the method of POST requests only, and echoes it on the response.
class stateful_middleware {
public:
    using request_state = timing;

    static std::unique_ptr<stateful_middleware> create(sdk::host&, std::string_view, std::string_view,
                                                       sdk::error_sink&) {
        return std::make_unique<stateful_middleware>();
    }
    sdk::verdict on_request(sdk::request& req, sdk::local_reply&, sdk::state_slot<timing>& state) {
        if (req.method() == "POST") state.emplace(std::string(req.method()));
        if (req.has_header("X-Throw")) throw std::runtime_error("after storing");
        return sdk::verdict::proceed;
    }
    void on_response(const sdk::request&, sdk::response& resp, timing* state) {
        resp.set_header("X-State", state ? state->method : "none");
    }
};

TEST(sdk_adapters, request_state_is_allocated_only_when_stored_and_freed_at_the_end) {
    fake_host host;
    collecting_errors errors;
    auto mw = plugin_of<sdk::detail::middleware_glue<stateful_middleware, identity>>().create_middleware(
        host, "s@file", "", errors);
    ASSERT_TRUE(mw);
    {
        fake_request get;
        fake_local_reply reply;
        fake_response resp;
        EXPECT_EQ(mw.on_request(get, reply), sdk::verdict::proceed);
        EXPECT_FALSE(mw.holds_state());
        EXPECT_EQ(live_states, 0);
        mw.on_response(get, resp);
        EXPECT_EQ(resp.header("X-State"), "none");
    }
    {
        fake_request post;
        post.method_ = "POST";
        fake_local_reply reply;
        fake_response resp;
        mw.on_request(post, reply);
        EXPECT_EQ(live_states, 1);
        mw.on_response(post, resp);
        EXPECT_EQ(resp.header("X-State"), "POST");
        mw.end_request();
        EXPECT_EQ(live_states, 0);
    }
    {
        // A hook that throws after storing: the state is still handed back and freed.
        fake_request post;
        post.method_ = "POST";
        post.headers.set("X-Throw", "1");
        fake_local_reply reply;
        EXPECT_EQ(mw.on_request(post, reply), sdk::verdict::failed);
        EXPECT_TRUE(mw.holds_state());
        mw.end_request();
        EXPECT_EQ(live_states, 0);
    }
}

// ---- attempts, inner pickers, metrics, views -------------------------------------------

// A wrapper that counts through the host and hands everything to its inner picker.
class counting_picker {
public:
    counting_picker(const sdk::server_set& set, sdk::counter picks, sdk::gauge last_latency)
        : set_(set), picks_(picks), last_latency_(last_latency) {}
    std::int32_t pick(const sdk::request& req, const sdk::server_filter& filter) {
        picks_.add();
        return set_.inner.pick(req, filter);
    }
    void on_attempt(const sdk::request& req, const sdk::attempt& a) {
        last_latency_.set(a.latency.count());
        attempts.push_back(a);
        set_.inner.on_attempt(req, a);
    }
    std::vector<sdk::attempt> attempts;

private:
    sdk::server_set set_;
    sdk::counter picks_;
    sdk::gauge last_latency_;
};

class counting_balancer {
public:
    static std::unique_ptr<counting_balancer> create(sdk::host& host, std::string_view, std::string_view,
                                                     sdk::error_sink&) {
        auto b = std::make_unique<counting_balancer>();
        b->picks_ = host.counter("picks", "Picks asked of the wrapper");
        b->latency_ = host.gauge("last_latency_us", "Latency of the last attempt");
        b->refused_ = host.counter("Bad-Name", "refused: not [a-z0-9_]");
        return b;
    }
    std::unique_ptr<counting_picker> create_picker(const sdk::server_set& set, sdk::error_sink& errors) {
        if (!set.inner) {
            errors.error("", "wraps a strategy");
            return nullptr;
        }
        refused_.add();  // a refused metric is null: nothing happens
        return std::make_unique<counting_picker>(set, picks_, latency_);
    }

private:
    sdk::counter picks_, refused_;
    sdk::gauge latency_;
};

TEST(sdk_adapters, attempts_metrics_and_inner_pickers_cross_as_documented) {
    using glue = sdk::detail::balancer_glue<counting_balancer, identity>;
    EXPECT_EQ(glue::ops.on_response, nullptr);
    EXPECT_NE(glue::ops.on_attempt, nullptr);
    fake_host host;
    collecting_errors errors;
    auto b = plugin_of<glue>().create_balancer(host, "c@file", "", errors);
    ASSERT_TRUE(b);
    fake_server_set servers({{"http://a", 1}, {"http://b", 1}});
    EXPECT_FALSE(b.create_picker(servers, errors));
    EXPECT_EQ(errors.errors.size(), 1u);

    cycling_picker inner(servers);
    auto p = b.create_picker(servers, errors, &inner);
    ASSERT_TRUE(p);
    fake_request req;
    EXPECT_EQ(p.pick(req, servers.accepting()), 0);
    EXPECT_EQ(p.pick(req, servers.accepting()), 1);
    p.on_attempt(req, {1, sdk::attempt_outcome::timeout, 0, std::chrono::microseconds(1500)});
    EXPECT_EQ(inner.picks, 2);
    EXPECT_EQ(inner.attempts, std::vector<std::int32_t>{1});
    EXPECT_EQ(host.metric_value("picks"), 2);
    EXPECT_EQ(host.metric_value("last_latency_us", "c@file"), 1500);
    EXPECT_FALSE(host.metric_value("Bad-Name"));
    ASSERT_EQ(host.lines.size(), 1u);
    EXPECT_NE(host.lines[0].second.find("Bad-Name"), std::string::npos);
}

// The fake host's metrics follow the host's rules (plugin_services::metric, host_api.cpp).
TEST(sdk_adapters, fake_metrics_behave_as_the_hosts) {
    fake_host host;
    const auto first = host.link("p", "balancer", "api@file");
    const auto reloaded = host.link("p", "balancer", "api@file");
    auto before = first.counter("requests", "Requests");
    auto after = reloaded.counter("requests", "Requests");  // a reload's object continues the series
    before.add(2);
    after.add(3);
    after.add(-5);  // a counter only grows
    EXPECT_EQ(host.metric_value("requests", "api@file"), 5);
    EXPECT_EQ(host.metrics.size(), 1u);
    EXPECT_FALSE(reloaded.gauge("requests", "as a gauge"));  // another type: refused and logged
    ASSERT_EQ(host.lines.size(), 1u);
    EXPECT_NE(host.lines[0].second.find("another type"), std::string::npos);
    auto level = first.gauge("level", "Level");
    level.set(7);
    level.add(-2);
    EXPECT_EQ(host.metric_value("level"), 5);
}

TEST(sdk_adapters, visit_headers_rethrows_after_the_host_returned) {
    fake_request req;
    req.headers.add("A", "1");
    req.headers.add("B", "2");
    req.headers.add("C", "3");
    std::vector<std::string> seen;
    req.visit_headers([&](std::string_view name, std::string_view value) {
        seen.push_back(std::string(name) + "=" + std::string(value));
        return name != "B";
    });
    EXPECT_EQ(seen, (std::vector<std::string>{"A=1", "B=2"}));
    seen.clear();
    EXPECT_THROW(req.visit_headers([&](std::string_view name, std::string_view) {
        seen.emplace_back(name);
        if (name == "A") throw std::runtime_error("visitor broke");
    }),
                 std::runtime_error);
    EXPECT_EQ(seen, std::vector<std::string>{"A"});  // the visit stopped at the throw
    EXPECT_TRUE(req.has_header("b"));
    EXPECT_FALSE(req.has_header("D"));
    EXPECT_EQ(req.header("c"), "3");
}

// A provider that keeps the host and sink references it was given and uses them later.
class remembering_provider {
public:
    static std::unique_ptr<remembering_provider> create(sdk::host& host, std::string_view, std::string_view,
                                                        sdk::error_sink&) {
        return std::make_unique<remembering_provider>(host);
    }
    explicit remembering_provider(sdk::host& host) : host_(host) {}
    bool start(sdk::document_sink& sink) {
        sink_ = &sink;
        return true;
    }
    void stop() {
        sink_->publish("[http.routers]\n");
        host_.log(sdk::log_level::info, "stopped");
    }

private:
    sdk::host& host_;
    sdk::document_sink* sink_ = nullptr;
};

TEST(sdk_adapters, host_and_sink_references_outlive_the_calls_that_gave_them) {
    fake_host host;
    collecting_errors errors;
    fake_document_sink sink;
    auto p = plugin_of<sdk::detail::provider_glue<remembering_provider, identity>>().create_provider(host, "r", "",
                                                                                                  errors);
    ASSERT_TRUE(p);
    ASSERT_TRUE(p.start(sink));
    p.stop();
    EXPECT_EQ(sink.documents, std::vector<std::string>{"[http.routers]\n"});
    ASSERT_EQ(host.lines.size(), 1u);
    EXPECT_EQ(host.lines[0], std::make_pair(sdk::log_level::info, std::string("stopped")));
}
