// ipallowlist: lets a request on only when its client's address is in one of the listed
// ranges (Traefik's ipAllowList), the client found by Traefik's ipStrategy; others are
// answered 403 (or rejectStatusCode). Built a second time as ipwhitelist, Traefik v2's name.
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "sluice/sdk/config_reader.hpp"
#include "sluice/sdk/declare.hpp"
#include "sluice/sdk/ip_network.hpp"

namespace sluice::ipallowlist {
namespace {

std::string_view reason(std::uint16_t status) {
    switch (status) {
        case 400: return "Bad Request";
        case 401: return "Unauthorized";
        case 403: return "Forbidden";
        case 404: return "Not Found";
        case 429: return "Too Many Requests";
        case 451: return "Unavailable For Legal Reasons";
        case 503: return "Service Unavailable";
        default: return "Rejected";
    }
}

class ip_allow_list {
public:
    static std::unique_ptr<ip_allow_list> create(sdk::host& host, std::string_view, std::string_view config,
                                                 sdk::error_sink& errors) {
        sdk::config_reader options(config, errors);
        auto mw = std::make_unique<ip_allow_list>();
        const auto ranges = options.required_string_list(
            "sourceRange", "the addresses or CIDR ranges allowed, such as [\"127.0.0.1/32\", \"192.168.1.0/24\"]");
        if (ranges) {
            for (std::size_t i = 0; i < ranges->size(); ++i) {
                if (auto range = sdk::ip_network::parse((*ranges)[i])) mw->allowed_.push_back(*range);
                else options.error("sourceRange[" + std::to_string(i) + "]",
                                   "\"" + (*ranges)[i] + "\" is not an IP address or CIDR range");
            }
            if (ranges->empty()) options.error("sourceRange", "the list is empty: no client could pass");
        }
        mw->strategy_ = sdk::read_ip_strategy(options);
        mw->reject_ = static_cast<std::uint16_t>(options.integer_or("rejectStatusCode", 403, {400, 599}));
        if (!options.finish()) return nullptr;
#ifdef SLUICE_IP_WHITELIST
        host.log(sdk::log_level::warn, "ipWhiteList is Traefik v2's name for ipAllowList; write ipAllowList");
#else
        (void)host;
#endif
        return mw;
    }

    sdk::verdict on_request(sdk::request& req, sdk::local_reply& reply) {
        const std::string_view client =
            strategy_.client(req.client_ip(), sdk::peer_forwarded_for(req.header("X-Forwarded-For")));
        const auto address = sdk::ip_address::parse(client);
        if (address)
            for (const auto& range : allowed_)
                if (range.contains(*address)) return sdk::verdict::proceed;
        reply.set_status(reject_);
        reply.set_header("Content-Type", "text/plain; charset=utf-8");
        reply.set_body(std::string(reason(reject_)));
        return sdk::verdict::respond;
    }

private:
    std::vector<sdk::ip_network> allowed_;
    sdk::ip_strategy strategy_;
    std::uint16_t reject_ = 403;
};

}  // namespace
}  // namespace sluice::ipallowlist

#ifdef SLUICE_IP_WHITELIST
SLUICE_DECLARE_MIDDLEWARE(sluice::ipallowlist::ip_allow_list, "ipwhitelist", "1.0.0",
                          "Traefik v2's name for ipallowlist: lets on only clients in the listed ranges",
                          "sourceRange = [\"127.0.0.1/32\", \"192.168.1.0/24\"]\n")
#else
SLUICE_DECLARE_MIDDLEWARE(sluice::ipallowlist::ip_allow_list, "ipallowlist", "1.0.0",
                          "Lets on only clients whose address is in the listed ranges; others get 403",
                          "sourceRange = [\"127.0.0.1/32\", \"192.168.1.0/24\"]\n[ipStrategy]\ndepth = 1\n")
#endif
