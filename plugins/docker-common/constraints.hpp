// Traefik's `constraints` option: an expression over a container's (or a Swarm service's)
// labels that decides whether the provider looks at it at all.
//
//   Label(`a.label.name`, `value`)          the label is there with exactly this value
//   LabelRegex(`a.label.name`, `a.+`)       the label's value matches (RE2, unanchored)
//   !, &&, || and parentheses               with the usual precedence
//
// Strings are written between backticks or double quotes. A missing label reads as "".
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>

namespace sluice::docker {

class constraints {
public:
    // Everything matches (the option is empty).
    constraints() = default;

    // Throws std::invalid_argument naming what is wrong and where ("at 12: ...") for an
    // expression that does not parse, an unknown function, a wrong number of arguments or
    // an invalid regular expression (Traefik would match nothing then; an error says why).
    static constraints parse(std::string_view expression);

    bool matches(const std::map<std::string, std::string>& labels) const;

    struct node;

private:
    std::shared_ptr<const node> root_;
};

}  // namespace sluice::docker
