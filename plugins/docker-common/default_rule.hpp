// The default rule: a small subset of Go's text/template, as in Traefik's `defaultRule`.
#pragma once

#include <map>
#include <string>
#include <string_view>

namespace sluice::docker {

// What `{{ ... }}` actions may refer to (Traefik's model of a container).
struct rule_model {
    std::string name;            // .Name: the default service name
    std::string container_name;  // .ContainerName
    const std::map<std::string, std::string>* labels = nullptr;  // .Labels, for `index .Labels "key"`
};

struct expanded_rule {
    std::string rule;
    std::string error;  // not empty when the template cannot be expanded
};

// Supports .Name, .ContainerName, `index .Labels "key"`, the functions normalize, lower and
// upper, called as `f x` or piped as `x | f`.
expanded_rule expand_default_rule(std::string_view tpl, const rule_model& model);

}  // namespace sluice::docker
