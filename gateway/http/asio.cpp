// Asio's compiled part, built once for the whole project (see gateway/http/asio.hpp).
#include "gateway/http/asio.hpp"

#include <boost/asio/impl/src.hpp>
