// Objects from several containers -> one document, as Traefik merges its providers' pieces.
#pragma once

#include <map>
#include <string>
#include <vector>

#include <toml++/toml.h>

namespace sluice::docker {

// What the containers say about routers, services and middlewares, by object name, in
// container order. Servers of one service are added up, never compared.
class merger {
public:
    void add_router(const std::string& name, const std::string& container, toml::table t);
    void add_service(const std::string& name, const std::string& container, toml::table t, toml::table server);
    void add_middleware(const std::string& name, const std::string& container, toml::table t);

    // The [http] document. An object that containers define with different options is left
    // out, with a warning naming it, each differing option and its values.
    toml::table build(std::vector<std::string>& warnings) const;

private:
    struct piece {
        std::string container;
        toml::table table;
    };
    using pieces = std::map<std::string, std::vector<piece>>;
    pieces routers_, services_, middlewares_;
    std::map<std::string, std::vector<toml::table>> servers_;
};

}  // namespace sluice::docker
