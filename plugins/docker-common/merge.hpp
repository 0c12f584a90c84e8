// Objects from several containers -> one document, as Traefik merges its providers' pieces.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include <toml++/toml.h>

namespace sluice::docker {

// What the containers say about routers, services and middlewares, by object name, in
// container order. Servers of one service are added up, never compared.
class merger {
public:
    struct source {
        std::string container;
        std::string started;  // start_order() of its start: the newest defines what replicas disagree on
    };
    void add_router(const std::string& name, const source& from, toml::table t);
    // `server`: none for a container that is not serving (allowEmptyServices): the service
    // is defined all the same, with no server when no container serves it.
    void add_service(const std::string& name, const source& from, toml::table t, std::optional<toml::table> server);
    void add_middleware(const std::string& name, const source& from, toml::table t);

    // The [http] document. An object that containers define with different options (a
    // rolling update changing labels, one replica at a time) is defined by the container
    // started last (by name among those started at the same time), with a warning naming the
    // object, each differing option and its values.
    toml::table build(std::vector<std::string>& warnings) const;

private:
    struct piece {
        source from;
        toml::table table;
    };
    using pieces = std::map<std::string, std::vector<piece>>;
    pieces routers_, services_, middlewares_;
    std::map<std::string, std::vector<toml::table>> servers_;
};

}  // namespace sluice::docker
