// The one translation unit that compiles Asio, Beast, Boost.JSON and Boost.URL
// (separate compilation keeps every other file's build short).
#include <boost/asio/impl/src.hpp>
#include <boost/beast/src.hpp>
#include <boost/json/src.hpp>
#include <boost/url/src.hpp>
