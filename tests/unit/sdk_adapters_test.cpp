// The SDK's adapters keep a plugin's exceptions on its side of the boundary.
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

template <class T>
handle<T> own(T* p) {
    return handle<T>(p);
}

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
        const auto factory = sdk::detail::middleware_factory_for<throwing_middleware, identity>;
        auto mw = own(factory(host, "m@file", c.throw_in, errors));
        ASSERT_NE(mw, nullptr);
        fake_request req;
        fake_reply reply;
        fake_response resp;
        EXPECT_EQ(mw->on_request(req, reply), c.request) << c.throw_in;
        EXPECT_EQ(mw->on_response(req, resp), c.response) << c.throw_in;
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
        const auto factory = sdk::detail::middleware_factory_for<throwing_middleware, identity>;
        EXPECT_EQ(factory(host, "m@file", config, errors), nullptr);
        ASSERT_EQ(errors.errors.size(), 1u);
        EXPECT_EQ(errors.errors[0].second, message);
    }
}

TEST(sdk_adapters, a_throwing_picker_returns_pick_failed) {
    fake_host host;
    collecting_errors errors;
    auto b = own(sdk::detail::balancer_factory_for<throwing_balancer, identity>(host, "s@file", "", errors));
    ASSERT_NE(b, nullptr);
    fake_server_set servers({{"http://a", 1}});
    auto p = own(b->create_picker(servers.view(), errors));
    ASSERT_NE(p, nullptr);
    fake_request req;
    EXPECT_EQ(p->pick(req, servers.accepting()), sdk::pick_failed);
    fake_response resp;
    p->on_response(req, resp, 0);  // optional hook absent: nothing happens
    EXPECT_EQ(host.faults, std::vector<std::string>{"balancer adapter-test s@file pick: pick broke"});

    auto refusing = own(sdk::detail::balancer_factory_for<throwing_balancer, identity>(host, "t@file", "create_picker",
                                                                                        errors));
    EXPECT_EQ(refusing->create_picker(servers.view(), errors), nullptr);
    ASSERT_EQ(errors.errors.size(), 1u);
    EXPECT_EQ(errors.errors[0].second, "plugin \"adapter-test\" (instance t@file) threw: no picker");
}

TEST(sdk_adapters, a_throwing_provider_does_not_start) {
    fake_host host;
    collecting_errors errors;
    auto p = own(sdk::detail::provider_factory_for<throwing_provider, identity>(host, "docker", "", errors));
    fake_document_sink sink;
    EXPECT_FALSE(p->start(sink));
    p->stop();
    EXPECT_EQ(host.faults, (std::vector<std::string>{"provider adapter-test docker start: cannot start",
                                                      "provider adapter-test docker stop: cannot stop"}));
}
