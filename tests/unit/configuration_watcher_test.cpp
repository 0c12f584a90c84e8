// The watcher turns providers' documents into as few rebuilds as the newest state needs.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include <boost/asio/io_context.hpp>

#include "control/configuration_watcher.hpp"

namespace sluice::control {
namespace {

using namespace std::chrono_literals;

// A document with one router, `name`, and its service.
std::string document(const std::string& name, const std::string& host = "a") {
    return "[http.routers." + name + "]\nrule = \"Host(`" + host + "`)\"\nservice = \"s\"\n" +
           "[http.services.s.loadBalancer]\nservers = [{ url = \"http://127.0.0.1:9001\" }]\n";
}

struct rebuild {
    std::uint64_t generation;
    config::dynamic_config merged;
};

class watcher_test : public ::testing::Test {
protected:
    static constexpr std::chrono::milliseconds throttle{40};

    watcher_test() {
        watcher.add_listener([this](std::uint64_t generation, const config::dynamic_config& merged) {
            rebuilds.push_back({generation, merged});
        });
    }

    // Runs the control loop until `count` rebuilds happened (bounded).
    void run_until(std::size_t count) {
        const auto deadline = std::chrono::steady_clock::now() + 5s;
        while (rebuilds.size() < count && control.run_one_until(deadline)) {
        }
        control.restart();
        ASSERT_GE(rebuilds.size(), count);
    }
    // Runs the control loop for a few throttle periods, for rebuilds that should not come.
    void settle() {
        control.run_for(throttle * 4);
        control.restart();
    }

    boost::asio::io_context control;
    configuration_watcher watcher{control, throttle};
    std::vector<rebuild> rebuilds;
};

TEST_F(watcher_test, the_first_document_applies_at_once) {
    watcher.submit("file", "dyn.toml", document("a"));
    run_until(1);
    EXPECT_EQ(rebuilds[0].generation, 1u);
    EXPECT_EQ(rebuilds[0].merged.routers.count("a@file"), 1u);
    EXPECT_EQ(watcher.stats().reloads, 1u);
}

TEST_F(watcher_test, an_unchanged_document_yields_no_rebuild) {
    watcher.submit("docker", "provider docker", document("a"));
    run_until(1);
    watcher.submit("docker", "provider docker", document("a"));
    watcher.submit("docker", "provider docker", document("a"));
    settle();
    EXPECT_EQ(rebuilds.size(), 1u);
}

TEST_F(watcher_test, a_burst_yields_one_rebuild_with_the_newest_document) {
    watcher.submit("docker", "provider docker", document("r0"));
    run_until(1);
    // From another thread, as a provider plugin publishes.
    std::thread provider([this] {
        for (int i = 1; i <= 5; ++i) watcher.submit("docker", "provider docker", document("r" + std::to_string(i)));
    });
    provider.join();
    run_until(2);
    settle();
    ASSERT_EQ(rebuilds.size(), 2u);
    const auto& routers = rebuilds[1].merged.routers;
    ASSERT_EQ(routers.size(), 1u);
    EXPECT_EQ(routers.begin()->first, "r5@docker");
    EXPECT_EQ(rebuilds[1].generation, 2u);
}

TEST_F(watcher_test, documents_of_two_providers_are_merged_under_their_names) {
    watcher.submit("file", "dyn.toml", document("a", "a.localhost"));
    run_until(1);
    watcher.submit("docker", "provider docker", document("b", "b.localhost"));
    run_until(2);
    const auto& merged = rebuilds.back().merged;
    EXPECT_EQ(merged.routers.count("a@file"), 1u);
    EXPECT_EQ(merged.routers.count("b@docker"), 1u);
    EXPECT_EQ(merged.routers.at("b@docker").service, "s@docker");
    EXPECT_EQ(merged.services.count("s@file"), 1u);
    EXPECT_EQ(merged.services.count("s@docker"), 1u);
}

TEST_F(watcher_test, a_document_that_does_not_parse_leaves_the_previous_one_in_force) {
    watcher.submit("file", "dyn.toml", document("a"));
    run_until(1);
    watcher.submit("file", "dyn.toml", "[http.routers.a\nrule = ");
    settle();
    EXPECT_EQ(rebuilds.size(), 1u);
    EXPECT_EQ(watcher.stats().rejected, 1u);
    EXPECT_FALSE(watcher.stats().last_success);
    // Another provider's change still merges with the file's last good document.
    watcher.submit("docker", "provider docker", document("b"));
    run_until(2);
    EXPECT_EQ(rebuilds.back().merged.routers.count("a@file"), 1u);
    EXPECT_TRUE(watcher.stats().last_success);
}

}  // namespace
}  // namespace sluice::control
