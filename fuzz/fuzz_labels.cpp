// The Docker provider's label decoder: containers made of the fuzz bytes (labels, states,
// ports, networks, constraints) -> the provider's TOML document. Anyone who may start a container writes
// these labels; whatever they write, the document must parse, and must not depend on the
// order Docker lists the containers in.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <fuzzer/FuzzedDataProvider.h>
#include <toml++/toml.h>

#include <spdlog/spdlog.h>

#include "config/dynamic_config.hpp"
#include "labels.hpp"

namespace {

using sluice::docker::container;

[[noreturn]] void finding(const char* what, const std::string& document) {
    std::fprintf(stderr, "finding: %s\n%s\n", what, document.c_str());
    std::abort();
}

// Label keys are mostly the grammar's own words, so that the decoder gets past "not understood".
std::string label_key(FuzzedDataProvider& in) {
    static const char* const words[] = {
        "http", "routers", "services", "middlewares", "rule", "service", "middlewares", "priority",
        "entrypoints", "loadbalancer", "loadBalancer", "server", "port", "scheme", "weight", "sticky", "cookie",
        "name", "secure", "httpOnly", "healthcheck", "path", "interval", "stripprefix", "prefixes", "enable",
        "docker", "network", "tls", "passHostHeader", "web", "api", "0", "1", "a.b", ""};
    if (in.ConsumeIntegralInRange<int>(0, 7) == 0) return in.ConsumeRandomLengthString(48);
    std::string key = in.ConsumeBool() ? "sluice" : in.PickValueInArray({"Sluice", "traefik", "com.docker.compose"});
    const int parts = in.ConsumeIntegralInRange<int>(1, 8);
    for (int i = 0; i < parts; ++i) {
        key += '.';
        key += in.ConsumeIntegralInRange<int>(0, 5) == 0 ? in.ConsumeRandomLengthString(12) : in.PickValueInArray(words);
    }
    return key;
}

container make_container(FuzzedDataProvider& in, int index) {
    container c;
    c.id = "c" + std::to_string(index);
    c.name = in.ConsumeBool() ? "web-" + std::to_string(index) : in.ConsumeRandomLengthString(16);
    c.state = in.PickValueInArray({"running", "running", "running", "created", "paused", "restarting", "exited", "dead"});
    c.health = in.PickValueInArray({"", "", "starting", "healthy", "unhealthy"});
    c.stopping = in.ConsumeIntegralInRange<int>(0, 7) == 0;
    for (int i = in.ConsumeIntegralInRange<int>(0, 3); i > 0; --i) c.exposed_ports.push_back(in.ConsumeIntegral<std::uint16_t>());
    c.network_mode = in.ConsumeIntegralInRange<int>(0, 5) == 0 ? in.ConsumeRandomLengthString(12)
                                                                  : in.PickValueInArray({"bridge", "host", "front", "default"});
    for (int i = in.ConsumeIntegralInRange<int>(0, 2); i > 0; --i) {
        std::string network = in.ConsumeBool() ? in.PickValueInArray({"bridge", "front", "back"}) : in.ConsumeRandomLengthString(12);
        std::string ip = in.PickValueInArray({"172.17.0.2", "10.0.0.5", "", "fd00::5", "::1"});
        if (in.ConsumeIntegralInRange<int>(0, 7) == 0) ip = in.ConsumeRandomLengthString(20);
        c.networks[std::move(network)] = std::move(ip);
    }
    for (int i = in.ConsumeIntegralInRange<int>(0, 12); i > 0 && in.remaining_bytes() > 0; --i) {
        std::string key = label_key(in);
        c.labels[std::move(key)] = in.ConsumeRandomLengthString(64);
    }
    return c;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    spdlog::set_level(spdlog::level::off);
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    FuzzedDataProvider in(data, size);
    sluice::docker::options opts;
    opts.exposed_by_default = in.ConsumeBool();
    opts.network = in.PickValueInArray({"", "", "front", "back", "bridge"});
    if (in.ConsumeIntegralInRange<int>(0, 7) == 0) opts.default_rule = in.ConsumeRandomLengthString(40);
    if (in.ConsumeBool()) opts.own_networks = {"front"};
    std::vector<container> containers;
    for (int i = in.ConsumeIntegralInRange<int>(0, 4); i > 0; --i) containers.push_back(make_container(in, i));
    // Last, so that the corpus written before these options still decodes the same containers.
    opts.allow_empty_services = in.ConsumeBool();
    try {
        opts.only = sluice::docker::constraints::parse(in.ConsumeRandomLengthString(80));
    } catch (const std::invalid_argument&) {
        // An expression that does not parse is the option's error at start; never a crash.
    }

    const auto doc = sluice::docker::build_document(containers, opts);
    // SLUICE_FUZZ_DUMP=1 shows what an input decodes to (when writing seeds).
    static const bool dump = std::getenv("SLUICE_FUZZ_DUMP") != nullptr;
    if (dump) {
        for (const auto& c : containers) {
            std::printf("# container %s (%s)\n", c.name.c_str(), c.state.c_str());
            for (const auto& [k, v] : c.labels) std::printf("#   %s=%s\n", k.c_str(), v.c_str());
        }
        std::printf("# %zu container(s), %zu warning(s)\n%s", containers.size(), doc.warnings.size(), doc.toml.c_str());
        for (const auto& w : doc.warnings) std::printf("# warning: %s\n", w.c_str());
    }
    toml::table root;
    try {
        root = toml::parse(std::string_view(doc.toml), std::string_view("docker"));
    } catch (const toml::parse_error& e) {
        finding(("the document does not parse: " + std::string(e.description())).c_str(), doc.toml);
    }
    const auto reversed = sluice::docker::build_document({containers.rbegin(), containers.rend()}, opts);
    if (reversed.toml != doc.toml) finding("the document depends on the containers' order", doc.toml + "\n----\n" + reversed.toml);
    // What the pipeline does next with the provider's document: errors, no exception.
    (void)sluice::config::parse_dynamic_config(root, "docker", "docker", false);
    return 0;
}
