#include "scaffold/plugin_scaffold.hpp"

#include <algorithm>
#include <array>
#include <fstream>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "sluice/abi.h"

namespace sluice::scaffold {

namespace {

constexpr std::array<std::string_view, 3> kinds{"balancer", "middleware", "provider"};

// Where each template goes in the project; "<kind>/" templates are the kind's own.
constexpr std::array<std::pair<std::string_view, std::string_view>, 6> layout{{
    {"CMakeLists.txt", "CMakeLists.txt"},
    {"README.md", "README.md"},
    {"gitignore", ".gitignore"},
    {"<kind>/plugin.cpp", "@NAME@.cpp"},
    {"<kind>/unit_test.cpp", "tests/unit_test.cpp"},
    {"<kind>/library_test.cpp", "tests/library_test.cpp"},
}};

std::string replace_all(std::string text, std::string_view from, std::string_view to) {
    for (auto at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
        text.replace(at, from.size(), to);
    return text;
}

std::string_view template_text(std::string_view path) {
    for (const auto& t : embedded_templates())
        if (t.path == path) return t.text;
    throw std::runtime_error("this sluice lacks the template " + std::string(path));
}

}  // namespace

std::string_view name_problem(std::string_view name) noexcept {
    if (name.empty()) return "a plugin needs a name";
    if (name.size() > 64) return "a plugin name has at most 64 characters";
    const auto letter = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); };
    if (!letter(name.front())) return "a plugin name starts with a letter";
    const bool valid = std::all_of(name.begin(), name.end(), [&](char c) {
        return letter(c) || (c >= '0' && c <= '9') || c == '_' || c == '-';
    });
    return valid ? "" : "a plugin name has only letters, digits, '_' and '-'";
}

std::filesystem::path write_plugin_project(std::string_view name, std::string_view kind,
                                           const std::filesystem::path& dir) {
    if (std::find(kinds.begin(), kinds.end(), kind) == kinds.end())
        throw std::runtime_error("unknown kind \"" + std::string(kind) + "\": balancer, middleware or provider");
    if (const auto problem = name_problem(name); !problem.empty())
        throw std::runtime_error("\"" + std::string(name) + "\": " + std::string(problem));
    const std::filesystem::path root = dir / std::string(name);
    std::error_code ec;
    if (std::filesystem::exists(root, ec))
        throw std::runtime_error(root.string() + " already exists: choose another name or --dir");

    const std::string ident = replace_all(std::string(name), "-", "_");
    const auto fill = [&](std::string_view text) {
        std::string out(text);
        out = replace_all(std::move(out), "@CONFIGURATION@", template_text(std::string(kind) + "/configuration.md"));
        out = replace_all(std::move(out), "@NAME@", name);
        out = replace_all(std::move(out), "@IDENT@", ident);
        out = replace_all(std::move(out), "@KIND@", kind);
        return replace_all(std::move(out), "@SDK_MAJOR@", std::to_string(SLUICE_ABI_MAJOR));
    };
    // Every template is read before anything is written: a missing one writes nothing.
    std::vector<std::pair<std::filesystem::path, std::string>> files;
    for (const auto& [from, to] : layout)
        files.emplace_back(root / fill(to), fill(template_text(replace_all(std::string(from), "<kind>", kind))));

    for (const auto& [path, text] : files) {
        std::filesystem::create_directories(path.parent_path(), ec);
        std::ofstream out(path, std::ios::binary);
        out << text;
        if (!out.flush()) throw std::runtime_error("cannot write " + path.string());
    }
    return root;
}

}  // namespace sluice::scaffold
