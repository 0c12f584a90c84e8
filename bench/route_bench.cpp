// Route matching cost against 10, 1 000 and 10 000 routers.
#include <benchmark/benchmark.h>

#include <memory>
#include <string>
#include <vector>

#include "runtime/snapshot.hpp"

namespace rt = sluice::runtime;

namespace {

struct table_fixture {
    std::vector<std::unique_ptr<rt::route>> routes;
    rt::route_table table;

    table_fixture(int n, bool host_rules) {
        for (int i = 0; i < n; ++i) {
            auto r = std::make_unique<rt::route>();
            r->name = "r" + std::to_string(i);
            r->rule_text = host_rules ? "Host(`h" + std::to_string(i) + ".example.com`) && PathPrefix(`/api/`)"
                                      : "PathPrefix(`/p" + std::to_string(i) + "/`)";
            std::string error;
            r->matcher = *rt::rule::parse(r->rule_text, error);
            r->priority = static_cast<std::int64_t>(r->rule_text.size());
            table.add(r.get());
            routes.push_back(std::move(r));
        }
        table.sort();
    }
};

// Routers with a Host each: the host index makes the cost independent of their number.
void by_host(benchmark::State& state) {
    table_fixture f(static_cast<int>(state.range(0)), true);
    const std::string host = "h" + std::to_string(state.range(0) / 2) + ".example.com";
    const rt::route_input in{host, "/api/users", "GET", "", "127.0.0.1", nullptr};
    for (auto _ : state) benchmark::DoNotOptimize(f.table.match(in));
}
BENCHMARK(by_host)->Arg(10)->Arg(1000)->Arg(10000);

// Routers without a Host (PathPrefix only): tried in priority order, a linear scan.
void without_host(benchmark::State& state) {
    table_fixture f(static_cast<int>(state.range(0)), false);
    const std::string path = "/p" + std::to_string(state.range(0) / 2) + "/x";
    const rt::route_input in{"any.example.com", path, "GET", "", "127.0.0.1", nullptr};
    for (auto _ : state) benchmark::DoNotOptimize(f.table.match(in));
}
BENCHMARK(without_host)->Arg(10)->Arg(1000)->Arg(10000);

}  // namespace

BENCHMARK_MAIN();
