#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <functional>
#include <iostream>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "sluice/sdk/testing/fakes.hpp"

namespace sdk = sluice::sdk;
using namespace sluice::sdk::testing;

namespace {

using servers = std::vector<std::pair<std::string, std::uint32_t>>;

servers numbered(int n, int skip = -1) {
    servers out;
    for (int i = 0; i < n; ++i)
        if (i != skip) out.emplace_back("http://10.0.0." + std::to_string(i + 1) + ":80", 1);
    return out;
}

// The server (by URL) a request from `ip` goes to.
std::string server_for(const picker_object& p, const fake_server_set& set, const servers& list, const std::string& ip,
                       const std::vector<std::int32_t>& exclude = {}) {
    fake_request req;
    req.client_ip_ = ip;
    const std::int32_t i = p.pick(req, set.accepting(exclude));
    if (i < 0) return "none";
    strategy_fixture::ended(p, i);
    return list[static_cast<std::size_t>(i)].first;
}

std::string ip_number(int k) { return "198.51." + std::to_string(k / 256) + "." + std::to_string(k % 256); }

TEST(hash, is_the_strategy_named_hash) {
    EXPECT_TRUE(strategy_fixture(SLUICE_TESTING_LINKED_PLUGIN()).is_strategy("hash"));
}

class both_algorithms : public ::testing::TestWithParam<std::string> {
protected:
    std::string config() const { return "algorithm = \"" + GetParam() + "\""; }
};
INSTANTIATE_TEST_SUITE_P(hash, both_algorithms, ::testing::Values("rendezvous", "maglev"));

TEST_P(both_algorithms, the_same_client_goes_to_the_same_server) {
    strategy_fixture f(SLUICE_TESTING_LINKED_PLUGIN(), config());
    const auto list = numbered(5);
    fake_server_set set(list);
    auto p = f.picker(set);
    std::set<std::string> used;
    for (int k = 0; k < 500; ++k) {
        const std::string first = server_for(p, set, list, ip_number(k));
        used.insert(first);
        for (int again = 0; again < 3; ++again) ASSERT_EQ(server_for(p, set, list, ip_number(k)), first);
    }
    EXPECT_EQ(used.size(), 5u);
    // A new picker of the same set (a reload) keeps every client where it was.
    auto q = f.picker(set);
    for (int k = 0; k < 500; ++k) ASSERT_EQ(server_for(q, set, list, ip_number(k)), server_for(p, set, list, ip_number(k)));
}

TEST_P(both_algorithms, keys_spread_by_weight) {
    strategy_fixture f(SLUICE_TESTING_LINKED_PLUGIN(), config());
    const servers list{{"http://a", 3}, {"http://b", 1}, {"http://c", 4}};
    fake_server_set set(list);
    auto p = f.picker(set);
    std::map<std::string, int> counts;
    for (int k = 0; k < 10000; ++k) ++counts[server_for(p, set, list, ip_number(k))];
    EXPECT_NEAR(counts["http://a"], 3750, 250);
    EXPECT_NEAR(counts["http://b"], 1250, 250);
    EXPECT_NEAR(counts["http://c"], 5000, 250);
}

// The point of consistent hashing: removing one server of N moves only the keys it had (at
// most 1/N + 2 % of them all), and adding one moves only keys to it.
TEST_P(both_algorithms, removing_one_server_of_ten_moves_only_its_keys) {
    strategy_fixture f(SLUICE_TESTING_LINKED_PLUGIN(), config());
    const auto all = numbered(10), less = numbered(10, 3);
    fake_server_set before(all), after(less);
    auto p = f.picker(before), q = f.picker(after);
    int moved = 0, had = 0, moved_elsewhere = 0;
    std::set<std::string> its_keys_went_to;
    for (int k = 0; k < 10000; ++k) {
        const std::string was = server_for(p, before, all, ip_number(k)), is = server_for(q, after, less, ip_number(k));
        if (was == all[3].first) {
            ++had;
            its_keys_went_to.insert(is);
        }
        if (was != is) {
            ++moved;
            if (was != all[3].first) ++moved_elsewhere;
        }
    }
    std::cout << GetParam() << ": removing 1 server of 10 moved " << moved << " of 10000 keys (" << had
              << " were its own)\n";
    EXPECT_LE(moved, 10000 / 10 + 200) << "moved " << moved;
    EXPECT_GE(its_keys_went_to.size(), 7u);  // spread over the others, not handed to one neighbour
    if (GetParam() == "rendezvous") {
        EXPECT_EQ(moved_elsewhere, 0);
    } else {
        EXPECT_LE(moved_elsewhere, 200);  // Maglev's table shifts a few more (the paper's ~1-2 %)
    }
    // Adding it back: keys move only to it.
    int to_new = 0, other = 0;
    for (int k = 0; k < 10000; ++k) {
        const std::string was = server_for(q, after, less, ip_number(k)), is = server_for(p, before, all, ip_number(k));
        if (was != is) ++(is == all[3].first ? to_new : other);
    }
    std::cout << GetParam() << ": adding it back moved " << to_new + other << " (" << to_new << " to it)\n";
    EXPECT_LE(to_new + other, 10000 / 10 + 200);
    if (GetParam() == "rendezvous") {
        EXPECT_EQ(other, 0);
    }
}

TEST_P(both_algorithms, a_server_down_moves_only_its_keys_and_they_come_back) {
    strategy_fixture f(SLUICE_TESTING_LINKED_PLUGIN(), config());
    const auto list = numbered(6);
    fake_server_set set(list);
    auto p = f.picker(set);
    std::vector<std::string> was;
    for (int k = 0; k < 2000; ++k) was.push_back(server_for(p, set, list, ip_number(k)));
    set.set_up(2, false);
    std::set<std::string> spread;
    for (int k = 0; k < 2000; ++k) {
        const std::string is = server_for(p, set, list, ip_number(k));
        ASSERT_NE(is, list[2].first);
        if (was[static_cast<std::size_t>(k)] == list[2].first) {
            spread.insert(is);
        } else {
            ASSERT_EQ(is, was[static_cast<std::size_t>(k)]);
        }
    }
    EXPECT_GE(spread.size(), 4u);  // its keys go to the others, not all to one neighbour
    set.set_up(2, true);
    for (int k = 0; k < 2000; ++k) ASSERT_EQ(server_for(p, set, list, ip_number(k)), was[static_cast<std::size_t>(k)]);
}

TEST_P(both_algorithms, nothing_accepted_or_no_servers) {
    strategy_fixture f(SLUICE_TESTING_LINKED_PLUGIN(), config());
    const auto list = numbered(3);
    fake_server_set set(list), none({});
    auto p = f.picker(set);
    EXPECT_EQ(server_for(p, set, list, "10.1.1.1", {0, 1, 2}), "none");
    fake_request req;
    EXPECT_EQ(f.picker(none).pick(req, none.accepting()), -1);
}

// One request with the key in a header, cookie, query parameter or path.
std::int32_t pick_with(const picker_object& p, const fake_server_set& set, const std::string& ip,
                       std::function<void(fake_request&)> shape) {
    fake_request req;
    req.client_ip_ = ip;
    shape(req);
    const std::int32_t i = p.pick(req, set.accepting());
    strategy_fixture::ended(p, i);
    return i;
}

// The same key from many clients goes to one server; different keys spread over all.
void expect_keyed(const picker_object& p, const fake_server_set& set,
                  const std::function<void(fake_request&, const std::string& key)>& put) {
    for (const std::string key : {"alice", "bob", "carol"}) {
        std::set<std::int32_t> seen;
        for (int client = 0; client < 50; ++client)
            seen.insert(pick_with(p, set, ip_number(client), [&](fake_request& r) { put(r, key); }));
        EXPECT_EQ(seen.size(), 1u) << key;
    }
    std::set<std::int32_t> spread;
    for (int k = 0; k < 200; ++k)
        spread.insert(pick_with(p, set, "10.9.9.9", [&](fake_request& r) { put(r, "user" + std::to_string(k)); }));
    EXPECT_EQ(spread.size(), set.size());
}

TEST(hash, a_header_as_the_key) {
    strategy_fixture f(SLUICE_TESTING_LINKED_PLUGIN(), "key = \"header\"\nname = \"X-User\"");
    ASSERT_TRUE(f.balancer) << f.errors.text();
    fake_server_set set(numbered(4));
    auto p = f.picker(set);
    expect_keyed(p, set, [](fake_request& r, const std::string& key) { r.headers.set("x-user", key); });
}

TEST(hash, a_cookie_as_the_key) {
    strategy_fixture f(SLUICE_TESTING_LINKED_PLUGIN(), "key = \"cookie\"\nname = \"uid\"");
    fake_server_set set(numbered(4));
    auto p = f.picker(set);
    expect_keyed(p, set, [](fake_request& r, const std::string& key) {
        r.headers.set("Cookie", "theme=dark; uid=" + key + "; lang=en");
    });
}

TEST(hash, a_query_parameter_as_the_key) {
    strategy_fixture f(SLUICE_TESTING_LINKED_PLUGIN(), "key = \"query\"\nname = \"user\"");
    fake_server_set set(numbered(4));
    auto p = f.picker(set);
    int n = 0;
    expect_keyed(p, set, [&](fake_request& r, const std::string& key) {
        // Where it stands among the others does not matter.
        r.target_ = (++n % 2) ? "/a?user=" + key + "&page=" + std::to_string(n) : "/b/c?x=1&user=" + key;
    });
}

TEST(hash, the_path_as_the_key) {
    strategy_fixture f(SLUICE_TESTING_LINKED_PLUGIN(), "key = \"path\"");
    fake_server_set set(numbered(4));
    auto p = f.picker(set);
    expect_keyed(p, set, [](fake_request& r, const std::string& key) { r.target_ = "/files/" + key + "?v=2"; });
}

TEST(hash, a_request_without_its_key_hashes_on_its_client) {
    strategy_fixture f(SLUICE_TESTING_LINKED_PLUGIN(), "key = \"header\"\nname = \"X-User\"");
    strategy_fixture by_ip(SLUICE_TESTING_LINKED_PLUGIN());
    const auto list = numbered(5);
    fake_server_set set(list);
    auto p = f.picker(set), q = by_ip.picker(set);
    for (int k = 0; k < 200; ++k) {
        const auto none = [](fake_request&) {};
        const auto empty = [](fake_request& r) { r.headers.set("X-User", ""); };
        const std::int32_t expected = pick_with(q, set, ip_number(k), none);
        EXPECT_EQ(pick_with(p, set, ip_number(k), none), expected);
        EXPECT_EQ(pick_with(p, set, ip_number(k), empty), expected);
    }
}

TEST(hash, the_client_behind_proxies_by_depth_or_excluded_ranges) {
    strategy_fixture depth(SLUICE_TESTING_LINKED_PLUGIN(), "[ipStrategy]\ndepth = 2");
    strategy_fixture excluded(SLUICE_TESTING_LINKED_PLUGIN(), "ipStrategy.excludedIPs = [\"10.0.0.0/8\"]");
    strategy_fixture plain(SLUICE_TESTING_LINKED_PLUGIN());
    ASSERT_TRUE(depth.balancer && excluded.balancer) << depth.errors.text() << excluded.errors.text();
    fake_server_set set(numbered(5));
    auto d = depth.picker(set), x = excluded.picker(set), peer = plain.picker(set);
    for (int k = 0; k < 200; ++k) {
        const std::string client = ip_number(k);
        const std::int32_t expected = pick_with(peer, set, client, [](fake_request&) {});
        // The host appended the peer (a proxy of ours, 10.0.0.9) to what that proxy sent.
        for (const std::string proxy : {"10.0.0.9", "10.0.0.10"}) {
            const auto forwarded = [&](fake_request& r) {
                r.headers.set("X-Forwarded-For", "203.0.113.1, " + client + ", 10.1.1.1, " + proxy);
            };
            EXPECT_EQ(pick_with(d, set, proxy, forwarded), expected);  // depth 2 of "..., client, 10.1.1.1"
            EXPECT_EQ(pick_with(x, set, proxy, forwarded), expected);  // rightmost outside 10/8
        }
    }
    // Depth beyond the list: the peer.
    EXPECT_EQ(pick_with(d, set, "10.0.0.9", [](fake_request& r) { r.headers.set("X-Forwarded-For", "10.0.0.9"); }),
              pick_with(peer, set, "10.0.0.9", [](fake_request&) {}));
}

TEST_P(both_algorithms, a_bound_spreads_one_hot_key_over_the_others) {
    strategy_fixture f(SLUICE_TESTING_LINKED_PLUGIN(), config() + "\nboundedLoad = 1.25");
    ASSERT_TRUE(f.balancer) << f.errors.text();
    const auto list = numbered(4);
    fake_server_set set(list);
    auto p = f.picker(set);
    // Twenty requests of one client held in flight: no server above ceil(1.25 x n / 4).
    std::map<std::int32_t, int> held;
    std::vector<std::int32_t> order;
    for (int k = 1; k <= 20; ++k) {
        fake_request req;
        req.client_ip_ = "192.0.2.7";
        const std::int32_t i = p.pick(req, set.accepting());
        ASSERT_GE(i, 0);
        order.push_back(i);
        ++held[i];
        for (const auto& [server, n] : held) ASSERT_LE(n, std::ceil(1.25 * k / 4)) << "after " << k;
    }
    EXPECT_EQ(held.size(), 4u);
    // The key's own server took the first, and takes it again once the others end.
    for (const std::int32_t i : order) strategy_fixture::ended(p, i);
    fake_request req;
    req.client_ip_ = "192.0.2.7";
    EXPECT_EQ(p.pick(req, set.accepting()), order.front());
}

TEST(hash, without_a_bound_one_hot_key_stays_on_its_server) {
    strategy_fixture f(SLUICE_TESTING_LINKED_PLUGIN());
    fake_server_set set(numbered(4));
    auto p = f.picker(set);
    std::set<std::int32_t> seen;
    for (int k = 0; k < 20; ++k) {
        fake_request req;
        req.client_ip_ = "192.0.2.7";
        seen.insert(p.pick(req, set.accepting()));
    }
    EXPECT_EQ(seen.size(), 1u);
}

TEST(hash, picks_from_many_threads_with_a_bound_count_every_request_out) {
    strategy_fixture f(SLUICE_TESTING_LINKED_PLUGIN(), "boundedLoad = 1.5");
    const auto list = numbered(3);
    fake_server_set set(list);
    auto p = f.picker(set);
    std::atomic<int> bad{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t)
        threads.emplace_back([&, t] {
            for (int k = 0; k < 3000; ++k) {
                fake_request req;
                req.client_ip_ = ip_number(k + t);
                const std::int32_t i = p.pick(req, set.accepting());
                if (i < 0 || i > 2) ++bad;
                else strategy_fixture::ended(p, i);
            }
        });
    for (auto& th : threads) th.join();
    EXPECT_EQ(bad.load(), 0);
    // Nothing left counted in flight: a client goes to its own server.
    strategy_fixture unbounded(SLUICE_TESTING_LINKED_PLUGIN());
    auto q = unbounded.picker(set);
    for (int k = 0; k < 100; ++k) EXPECT_EQ(server_for(p, set, list, ip_number(k)), server_for(q, set, list, ip_number(k)));
}

TEST(hash, options_are_checked) {
    struct row {
        const char* config;
        const char* says;  // in the error; nullptr: accepted
    };
    for (const auto& r : std::vector<row>{
             {"", nullptr},
             {"key = \"clientIP\"\nipStrategy.depth = 1", nullptr},
             {"key = \"ClientIp\"", nullptr},
             {"key = \"query\"\nname = \"u\"\nalgorithm = \"maglev\"\ntableSize = 131071", nullptr},
             {"algorithm = \"hrw\"\nboundedLoad = \"1.5\"", nullptr},
             {"boundedLoad = 0", nullptr},
             {"key = \"ip\"", "expected clientIP, header, cookie, query or path"},
             {"key = \"header\"", "missing"},
             {"key = \"cookie\"\nname = \"\"", "non-empty"},
             {"key = \"path\"\nname = \"x\"", "only with key"},
             {"key = \"query\"\nname = \"a%zz\"", "not a valid query parameter name"},
             {"ipStrategy.excludedIPs = [\"10.0.0.0/40\"]", "not an IP address"},
             {"ipStrategy.depth = -1", "out of range"},
             {"algorithm = \"ring\"", "expected rendezvous or maglev"},
             {"tableSize = 65536", "prime"},
             {"boundedLoad = 0.5", "above 1"},
             {"boundedLoad = \"lots\"", "expected a number"},
             {"boundedLod = 2", "did you mean"},
         }) {
        strategy_fixture f(SLUICE_TESTING_LINKED_PLUGIN(), r.config);
        if (!r.says) {
            EXPECT_TRUE(f.balancer) << r.config << "\n" << f.errors.text();
            continue;
        }
        EXPECT_FALSE(f.balancer) << r.config;
        EXPECT_NE(f.errors.text().find(r.says), std::string::npos) << r.config << "\n" << f.errors.text();
    }
}

TEST(hash, maglev_refuses_a_table_too_small_for_the_set) {
    strategy_fixture f(SLUICE_TESTING_LINKED_PLUGIN(), "algorithm = \"maglev\"\ntableSize = 101");
    ASSERT_TRUE(f.balancer);
    fake_server_set small(numbered(10)), large(numbered(11));
    EXPECT_TRUE(f.picker(small));
    EXPECT_FALSE(f.picker(large));
    EXPECT_NE(f.errors.text().find("10 entries per server"), std::string::npos) << f.errors.text();
}

}  // namespace
