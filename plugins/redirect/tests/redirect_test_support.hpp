// The redirect middlewares' table tests: one request through the linked plugin.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "sluice/sdk/testing/fakes.hpp"

namespace sluice::redirect::test {

struct asked {
    std::string host;           // the Host header
    std::string target = "/";
    std::string method = "GET";
    std::string forwarded_proto;  // X-Forwarded-Proto, none when empty
};

struct outcome {
    sdk::verdict verdict;
    std::uint16_t status;  // 0 when the request went on
    std::string location;
};

inline outcome run(std::string_view config, const asked& a) {
    sdk::testing::fake_host host;
    sdk::testing::collecting_errors errors;
    auto mw = SLUICE_TESTING_LINKED_PLUGIN().create_middleware(host, "t@file", config, errors);
    EXPECT_TRUE(mw) << config << ": " << (errors.errors.empty() ? "" : errors.errors[0].second);
    if (!mw) return {sdk::verdict::failed, 0, ""};
    sdk::testing::fake_request req;
    req.method_ = a.method;
    req.target_ = a.target;
    req.headers.add("Host", a.host);
    if (!a.forwarded_proto.empty()) req.headers.add("X-Forwarded-Proto", a.forwarded_proto);
    sdk::testing::fake_local_reply reply;
    const auto v = mw.on_request(req, reply);
    return {v, reply.status_, std::string(reply.headers.get("Location"))};
}

// Expects `config` to answer `a` with `status` and `location`, or (status 0) to let it on.
inline void expect(std::string_view config, const asked& a, std::uint16_t status, std::string_view location) {
    const auto got = run(config, a);
    const std::string what = std::string(config) + "\nfor " + a.method + " " + a.forwarded_proto + " " + a.host + a.target;
    EXPECT_EQ(got.verdict, status ? sdk::verdict::respond : sdk::verdict::proceed) << what;
    EXPECT_EQ(got.status, status) << what;
    EXPECT_EQ(got.location, location) << what;
}

inline std::string refusal(std::string_view config) {
    return sdk::testing::middleware_refusal(SLUICE_TESTING_LINKED_PLUGIN(), config);
}

}  // namespace sluice::redirect::test
