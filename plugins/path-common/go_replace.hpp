// Go's Regexp.ReplaceAllString over RE2, as Traefik's regex middlewares replace: every
// non-overlapping match, leftmost first, replaced by the template with `$1`, `${1}`,
// `$name`, `${name}` expanded (`$$` is a '$'; a name is the longest run of letters, digits
// and '_', so `$1x` names group "1x"; a group that does not exist or did not take part
// expands to nothing; a malformed `$` stays as it is). An empty match right after another
// match is not replaced again.
#pragma once

#include <algorithm>
#include <cctype>
#include <string>
#include <string_view>
#include <vector>

#include <re2/re2.h>

namespace sluice::path_edit {

// The template expanded for one match: `groups[i]` is group i's text (empty data() when it
// did not take part).
inline void go_expand(std::string& out, std::string_view tpl, const RE2& re, const std::vector<re2::StringPiece>& groups) {
    auto word = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; };
    while (!tpl.empty()) {
        const auto dollar = tpl.find('$');
        out.append(tpl.substr(0, dollar));
        if (dollar == std::string_view::npos) return;
        tpl.remove_prefix(dollar + 1);
        if (!tpl.empty() && tpl.front() == '$') {
            out += '$';
            tpl.remove_prefix(1);
            continue;
        }
        const bool brace = !tpl.empty() && tpl.front() == '{';
        std::size_t at = brace ? 1 : 0, end = at;
        while (end < tpl.size() && word(tpl[end])) ++end;
        const std::string_view name = tpl.substr(at, end - at);
        if (name.empty() || (brace && (end >= tpl.size() || tpl[end] != '}'))) {
            out += '$';  // malformed: the '$' stays as it is
            continue;
        }
        tpl.remove_prefix(end + (brace ? 1 : 0));
        int index = -1;
        if (name.find_first_not_of("0123456789") == std::string_view::npos) {
            index = name.size() > 9 ? -1 : std::stoi(std::string(name));
        } else {
            const auto& named = re.NamedCapturingGroups();
            if (const auto it = named.find(std::string(name)); it != named.end()) index = it->second;
        }
        if (index >= 0 && static_cast<std::size_t>(index) < groups.size() && groups[index].data())
            out.append(groups[index].data(), groups[index].size());
    }
}

// Go's ReplaceAllString(text, tpl).
inline std::string go_replace_all(const RE2& re, std::string_view text, std::string_view tpl) {
    std::vector<re2::StringPiece> groups(static_cast<std::size_t>(re.NumberOfCapturingGroups()) + 1);
    const re2::StringPiece whole(text.data(), text.size());
    std::string out;
    std::size_t search = 0, last_end = 0;
    while (search <= text.size() &&
           re.Match(whole, search, text.size(), RE2::UNANCHORED, groups.data(), static_cast<int>(groups.size()))) {
        const std::size_t start = static_cast<std::size_t>(groups[0].data() - text.data());
        const std::size_t end = start + groups[0].size();
        out.append(text.substr(last_end, start - last_end));
        if (end > last_end || start == 0) go_expand(out, tpl, re, groups);
        last_end = end;
        // Past this match, and at least one character (a UTF-8 sequence) further.
        std::size_t width = 1;
        if (search < text.size()) {
            const auto c = static_cast<unsigned char>(text[search]);
            width = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
        }
        search = search + width > end ? search + width : end;
    }
    out.append(text.substr(std::min(last_end, text.size())));
    return out;
}

}  // namespace sluice::path_edit
