// The type of a body named from its first bytes, by the WHATWG MIME sniffing rules as Go's
// http.DetectContentType applies them (what Traefik's contentType middleware sets).
#pragma once

#include <string_view>

namespace sluice::http {

// At most the first 512 bytes of `data` count. Never empty: "application/octet-stream" when
// nothing matches and the bytes are not text.
std::string_view sniff_content_type(std::string_view data) noexcept;

}  // namespace sluice::http
