// libFuzzer target: arbitrary bytes through RequestParser, fed in pieces the way a socket delivers
// them, so that header and body limits, chunked bodies and pipelined requests all meet hostile input.
//   ./request_parser_fuzzer corpus/request_parser

#include "emulator/server/request_parser.hpp"

#include <boost/asio/buffer.hpp>
#include <boost/beast/core/error.hpp>

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  // The first byte picks the split size, so that the fuzzer explores parsers fed a byte at a time.
  if (size == 0) return 0;
  const std::size_t step = static_cast<std::size_t>(data[0] % 64) + 1;
  ++data;
  --size;
  emu::api::HttpRequest request;
  std::size_t offset = 0;
  // Up to four pipelined requests on one connection, as a keep-alive session parses them.
  for (int message = 0; message < 4 && offset < size; ++message) {
    emu::server::RequestParser parser(request, 8 * 1024, 64 * 1024);
    parser.eager(true);
    boost::beast::error_code ec;
    std::size_t available = 0;
    while (!parser.is_done() && offset < size) {
      available = std::min(size - offset, available + step);
      const std::size_t used = parser.put(boost::asio::buffer(data + offset, available), ec);
      if (ec == boost::beast::http::error::need_more) {
        ec = {};
        if (offset + available >= size) break;
        continue;
      }
      if (ec) return 0;
      offset += used;
      available -= used;
    }
    if (!parser.is_done()) {
      parser.put_eof(ec);
      return 0;
    }
    // What the session reads after a parse must be consistent.
    (void)request.header("Host");
    (void)parser.client_request_id();
    (void)parser.correlation_request_id();
  }
  return 0;
}
