// Double-quoted rule values are Go string literals: Traefik's rule parser reads them with
// Go's strconv.Unquote, so "^/v\\d+" is the regular expression ^/v\d+.
#pragma once

#include <string>
#include <string_view>

namespace sluice::runtime {

// Decodes the body of a double-quoted Go string literal (without its quotes): \a \b \f \n
// \r \t \v \\ \" \xHH \ooo \uHHHH \UHHHHHHHH. Returns false on an escape Go refuses, or on
// a raw newline.
bool unquote_go_string(std::string_view body, std::string& out);

// Where the double-quoted literal starting after `open` ends (the index of its closing
// quote), npos when it does not end.
std::size_t go_string_end(std::string_view text, std::size_t open);

}  // namespace sluice::runtime
