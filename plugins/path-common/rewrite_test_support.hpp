// The path middlewares' table tests: one request through the linked plugin, and what it
// became.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "sluice/sdk/testing/fakes.hpp"

namespace sluice::path_edit::test {

struct outcome {
    sdk::verdict verdict;
    std::string target;   // as it is forwarded
    std::string header;   // the middleware's header (X-Replaced-Path or X-Forwarded-Prefix), "" when absent
    std::uint16_t status;  // of a local reply
};

// `routing`: the routing form of the target's path ("" : the path as it is).
inline outcome rewrite(std::string_view config, std::string target, std::string_view header, std::string routing = "") {
    sdk::testing::fake_host host;
    sdk::testing::collecting_errors errors;
    auto mw = SLUICE_TESTING_LINKED_PLUGIN().create_middleware(host, "t@file", config, errors);
    EXPECT_TRUE(mw) << config << ": " << (errors.errors.empty() ? "" : errors.errors[0].second);
    if (!mw) return {sdk::verdict::failed, "(not created)", "", 0};
    sdk::testing::fake_request req;
    req.target_ = std::move(target);
    req.routing_path_ = std::move(routing);
    sdk::testing::fake_local_reply reply;
    const auto v = mw.on_request(req, reply);
    return {v, req.target_, std::string(req.header(header)), reply.status_};
}

inline std::string refusal(std::string_view config) {
    return sdk::testing::middleware_refusal(SLUICE_TESTING_LINKED_PLUGIN(), config);
}

}  // namespace sluice::path_edit::test
