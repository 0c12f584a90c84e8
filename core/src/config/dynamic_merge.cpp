// Merging providers' documents into one dynamic configuration (dynamic_config.hpp's
// merge_into): names are qualified by provider, so only one provider's documents (the files
// of a directory) can define a name twice.
#include <optional>
#include <string>
#include <string_view>

#include "config/dynamic_config.hpp"

namespace sluice::config {

namespace {

// Where an object of `cfg` (valid or not) was defined, for a duplicate's error; nullopt when
// `cfg` has no such object.
template <class Config>
std::optional<std::string> defined_at(const std::map<std::string, Config>& objects,
                                      const std::map<std::string, error_list>& invalid, const std::string& name) {
    if (auto it = objects.find(name); it != objects.end())
        return it->second.origin.source + ":" + std::to_string(it->second.origin.line);
    if (auto it = invalid.find(name); it != invalid.end())
        return it->second.empty() ? std::string("another file") : it->second.front().source;
    return std::nullopt;
}

// Moves the objects of one kind from `from` into `into`, valid and invalid alike; a name
// `into` already has (in either) stays as it is and the newcomer is reported.
template <class Config>
void merge_kind(std::map<std::string, Config>& into, std::map<std::string, error_list>& into_invalid,
                const std::map<std::string, Config>& from, const std::map<std::string, error_list>& from_invalid,
                std::string_view kind, error_list* duplicates) {
    const auto report = [&](const std::string& name, const std::string& source, std::uint32_t line,
                            const std::string& first) {
        if (!duplicates) return;
        const std::string plain = name.substr(0, name.rfind('@'));
        duplicates->push_back({source, line, "http." + std::string(kind) + "s." + plain,
                               std::string(kind) + " \"" + plain + "\" is already defined in " + first +
                                   ": this definition is ignored"});
    };
    for (const auto& [name, object] : from) {
        if (auto first = defined_at(into, into_invalid, name)) report(name, object.origin.source, object.origin.line, *first);
        else into.emplace(name, object);
    }
    for (const auto& [name, errors] : from_invalid) {
        if (auto first = defined_at(into, into_invalid, name))
            report(name, errors.empty() ? std::string() : errors.front().source,
                   errors.empty() ? 0 : errors.front().line, *first);
        else into_invalid.emplace(name, errors);
    }
}

}  // namespace

void merge_into(dynamic_config& into, const dynamic_config& from, error_list* duplicates) {
    merge_kind(into.routers, into.invalid.routers, from.routers, from.invalid.routers, "router", duplicates);
    merge_kind(into.services, into.invalid.services, from.services, from.invalid.services, "service", duplicates);
    merge_kind(into.middlewares, into.invalid.middlewares, from.middlewares, from.invalid.middlewares, "middleware",
               duplicates);
    into.errors.insert(into.errors.end(), from.errors.begin(), from.errors.end());
}

}  // namespace sluice::config
