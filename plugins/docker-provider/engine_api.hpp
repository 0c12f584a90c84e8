// The Docker Engine's answers as the docker provider reads them: container lists, inspected
// containers and events (engine_api.cpp), outside coroutine frames. The connection itself is
// docker-common's engine_link.
#pragma once

#include <string>
#include <vector>

#include "engine_link.hpp"
#include "labels.hpp"

namespace sluice::docker {

// The IDs in GET /containers/json's answer.
std::vector<std::string> container_ids(const std::string& body);

// A container from GET /containers/{id}/json's answer.
container parse_inspect(const std::string& body);

// One line of GET /events. Network events name the container in an attribute: they are
// turned into a container event ("connect"/"disconnect") for it. An empty id: an event
// about no container, or a line that is not an event.
struct engine_event {
    std::string action, id, signal;
};
engine_event parse_event(const std::string& line);

}  // namespace sluice::docker
