// The API's JSON documents in Traefik's shapes: the routers, services and middlewares of a
// snapshot, with their status and errors (and, for services, each server's health, load and
// requests). Built on the control thread for each API request.
#pragma once

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "config/dynamic_config.hpp"
#include "http/server.hpp"
#include "runtime/snapshot.hpp"

namespace sluice::api {

struct views {
    const runtime::snapshot& snap;
    const config::dynamic_config& cfg;
    const std::vector<std::string>& entry_points;
    const http::proxy_server::metrics_snapshot* metrics = nullptr;  // for services' request counts

    boost::json::object router(const std::string& name) const;
    boost::json::object service(const std::string& name) const;
    boost::json::object middleware(const std::string& name) const;
    // Every name, the valid and the invalid ones.
    std::vector<std::string> router_names() const;
    std::vector<std::string> service_names() const;
    std::vector<std::string> middleware_names() const;

    // fn(name) for each of `names`, sorted.
    template <class Fn>
    boost::json::array all(std::vector<std::string> names, Fn fn) const {
        std::sort(names.begin(), names.end());
        boost::json::array out;
        for (const auto& n : names) out.push_back(fn(n));
        return out;
    }

    // A plugin's table as JSON. The text was printed by the configuration parser and parses.
    static boost::json::value options_json(const config::plugin_table& options);
    // An object serving its last valid definition: enabled, marked stale, with the new errors.
    static void mark_stale(boost::json::object& o, const std::map<std::string, config::error_list>& stale,
                           const std::string& name);
};

}  // namespace sluice::api
