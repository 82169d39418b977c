// The one way into Boost.Asio and Boost.Beast for the whole project: include this header, never
// <boost/asio/...> or <boost/beast/...> directly.
//
// Why a wrapper:
// - Boost 1.74's Asio uses std::exchange without including <utility>; g++ 12 in C++20 mode then
//   fails to compile it, so <utility> has to come first.
// - Asio is built once, in cg_asio (gateway/http/asio.cpp), instead of in every translation unit that
//   uses it (BOOST_ASIO_SEPARATE_COMPILATION). Every target that includes this header links cg_asio
//   (cg_http does so publicly). The define lives here, not in CMake, so that every includer agrees.
// - Beast is heavy to compile. It is only pulled in where CG_ASIO_WITH_BEAST is defined before the
//   include; today that is gateway/http/server.cpp alone. Everything else talks to the Beast-free
//   API in gateway/http/message.hpp, handler.hpp, router.hpp and server.hpp.
//
// No #pragma once: the two halves have their own guards so that a translation unit that first
// includes the Asio half can still ask for Beast later.

#ifndef CG_GATEWAY_ASIO_HPP_ASIO
#define CG_GATEWAY_ASIO_HPP_ASIO

#include <utility>  // must precede every Asio header (see above)

#ifndef BOOST_ASIO_SEPARATE_COMPILATION
#define BOOST_ASIO_SEPARATE_COMPILATION
#endif

// Asio 1.74 only recognises clang's old coroutines TS, not C++20 coroutines; without this, clang
// (clang-tidy included) cannot parse any coroutine code of the project.
#if defined(__clang__) && defined(__cpp_impl_coroutine) && !defined(BOOST_ASIO_HAS_CO_AWAIT)
#define BOOST_ASIO_HAS_CO_AWAIT 1
#endif

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

// g++ 12 reports Asio's coroutine frames (allocated by awaitable_frame_base's operator new, freed
// by its sized operator delete) as mismatched once the sanitizer build changes inlining: a known
// false positive (GCC PR 109224). The warning fires where each coroutine ends, in the includer's
// own code, so it is switched off for the rest of every translation unit that uses Asio.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

namespace cg {
namespace asio = boost::asio;
}  // namespace cg

#endif  // CG_GATEWAY_ASIO_HPP_ASIO

#if defined(CG_ASIO_WITH_BEAST) && !defined(CG_GATEWAY_ASIO_HPP_BEAST)
#define CG_GATEWAY_ASIO_HPP_BEAST

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/chunk_encode.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

namespace cg {
namespace beast = boost::beast;
}  // namespace cg

#endif  // CG_ASIO_WITH_BEAST
