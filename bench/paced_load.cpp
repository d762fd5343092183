// paced_load: an open-loop HTTP/1.1 load generator for the REST latency goal ("p99 at N requests/s").
// Requests fall due at a fixed rate whatever the server does, spread round-robin over keep-alive
// connections that carry one request at a time (as wrk does). A request's latency runs from the
// moment it fell due, so a request that had to wait for its connection counts that wait: a server
// that stalls cannot hide the stall by slowing the load down (no coordinated omission). wrk, a
// closed-loop generator, measures the server at saturation instead, where latency is queueing.
// It prints wrk's summary lines, so bench/report.py reads both. One thread; pin it to its own core.
//   paced_load http://127.0.0.1:7080/subscriptions/s/...?api-version=2018-05-01 --rate 50000
//       --connections 64 --duration 10 --warmup 1

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace {

using Nanos = std::int64_t;

Nanos now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

struct Options {
  std::string host;
  std::string port;
  std::string target;
  double rate = 0;
  int connections = 64;
  double duration_s = 10;
  double warmup_s = 1;
  double drain_s = 2;  // how long requests still out at the end may take before they count as timeouts
};

[[noreturn]] void usage(const char* problem) {
  std::fprintf(stderr,
               "paced_load: %s\n"
               "usage: paced_load http://HOST:PORT/PATH --rate REQUESTS_PER_S [--connections N (64)]\n"
               "                  [--duration S (10)] [--warmup S (1)] [--drain S (2)]\n",
               problem);
  std::exit(2);
}

double positive_number(const char* text, const char* flag) {
  char* end = nullptr;
  const double value = std::strtod(text, &end);
  if (end == text || *end != '\0' || !(value > 0)) {
    std::fprintf(stderr, "paced_load: %s needs a positive number, not '%s'\n", flag, text);
    std::exit(2);
  }
  return value;
}

Options parse_options(int argc, char** argv) {
  Options o;
  std::optional<std::string> url;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    const bool has_value = i + 1 < argc;
    if (arg == "--rate" && has_value) {
      o.rate = positive_number(argv[++i], "--rate");
    } else if (arg == "--connections" && has_value) {
      o.connections = static_cast<int>(positive_number(argv[++i], "--connections"));
    } else if (arg == "--duration" && has_value) {
      o.duration_s = positive_number(argv[++i], "--duration");
    } else if (arg == "--warmup" && has_value) {
      o.warmup_s = std::strtod(argv[++i], nullptr);
    } else if (arg == "--drain" && has_value) {
      o.drain_s = positive_number(argv[++i], "--drain");
    } else if (!arg.starts_with("--") && !url) {
      url = std::string(arg);
    } else {
      usage(("unknown or incomplete argument " + std::string(arg)).c_str());
    }
  }
  if (!url) usage("no URL");
  if (o.rate <= 0) usage("--rate is required");
  if (o.connections < 1) usage("--connections must be at least 1");
  constexpr std::string_view kScheme = "http://";
  if (!url->starts_with(kScheme)) usage("only http:// URLs (no TLS)");
  const std::string rest = url->substr(kScheme.size());
  const auto slash = rest.find('/');
  const std::string authority = rest.substr(0, slash);
  o.target = slash == std::string::npos ? "/" : rest.substr(slash);
  const auto colon = authority.rfind(':');
  if (colon == std::string::npos) usage("the URL needs a port");
  o.host = authority.substr(0, colon);
  o.port = authority.substr(colon + 1);
  return o;
}

// One keep-alive connection: at most one request out, the rest wait in `due` (their due times). While
// `busy`, the request that is out is due.front().
struct Connection {
  int fd = -1;
  bool busy = false;
  std::deque<Nanos> due;
  std::string input;
};

struct Totals {
  std::vector<Nanos> latencies;  // requests that fell due in the measured window
  std::int64_t bytes_read = 0;
  std::int64_t non_2xx_3xx = 0;
  std::int64_t connect_errors = 0;
  std::int64_t read_errors = 0;
  std::int64_t write_errors = 0;
  std::int64_t timeouts = 0;
  std::int64_t waited = 0;  // requests that fell due while their connection was still busy
  // For requests sent the moment they fell due (their connection was free): how late this program
  // sent them. Its own delays (descheduled, a slow loop) would otherwise count as the server's.
  std::vector<Nanos> send_lags;
};

// Where a complete response ends in `input`, and its status; nullopt while it is incomplete. Responses
// must carry Content-Length (the emulator's all do); npos as the end marks one that cannot be framed.
struct Framed {
  std::size_t end;
  int status;
};

std::optional<Framed> frame_response(const std::string& input) {
  const auto head_end = input.find("\r\n\r\n");
  if (head_end == std::string::npos) return std::nullopt;
  int status = 0;
  if (input.size() < 12 || std::from_chars(input.data() + 9, input.data() + 12, status).ec != std::errc()) {
    return Framed{std::string::npos, 0};
  }
  std::size_t length = 0;
  bool found = false;
  std::size_t line = input.find("\r\n");
  while (line < head_end) {
    const std::size_t next = input.find("\r\n", line + 2);
    const std::string_view header(input.data() + line + 2, next - line - 2);
    constexpr std::string_view kName = "content-length:";
    if (header.size() > kName.size() &&
        std::equal(kName.begin(), kName.end(), header.begin(), [](char a, char b) {
          return a == static_cast<char>(std::tolower(static_cast<unsigned char>(b)));
        })) {
      std::string_view value = header.substr(kName.size());
      while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
      found = std::from_chars(value.data(), value.data() + value.size(), length).ec == std::errc();
    }
    line = next;
  }
  if (!found) return Framed{std::string::npos, status};
  const std::size_t end = head_end + 4 + length;
  if (input.size() < end) return std::nullopt;
  return Framed{end, status};
}

class PacedLoad {
 public:
  explicit PacedLoad(Options options) : o_(std::move(options)) {
    request_ = "GET " + o_.target + " HTTP/1.1\r\nHost: " + o_.host + ":" + o_.port +
               "\r\nAccept: application/json\r\n\r\n";
    epoll_ = ::epoll_create1(EPOLL_CLOEXEC);
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    if (::getaddrinfo(o_.host.c_str(), o_.port.c_str(), &hints, &address_) != 0 || address_ == nullptr) {
      std::fprintf(stderr, "paced_load: cannot resolve %s:%s\n", o_.host.c_str(), o_.port.c_str());
      std::exit(1);
    }
    connections_.resize(static_cast<std::size_t>(o_.connections));
    for (std::size_t i = 0; i < connections_.size(); ++i) {
      if (!connect(i)) {
        std::fprintf(stderr, "paced_load: cannot connect to %s:%s: %s\n", o_.host.c_str(), o_.port.c_str(),
                     std::strerror(errno));
        std::exit(1);
      }
    }
  }

  ~PacedLoad() {
    for (auto& c : connections_) {
      if (c.fd >= 0) ::close(c.fd);
    }
    ::close(epoll_);
    ::freeaddrinfo(address_);
  }

  PacedLoad(const PacedLoad&) = delete;
  PacedLoad& operator=(const PacedLoad&) = delete;

  void run() {
    start_ = now_ns();
    measured_from_ = start_ + seconds(o_.warmup_s);
    measured_until_ = measured_from_ + seconds(o_.duration_s);
    const Nanos give_up = measured_until_ + seconds(o_.drain_s);
    std::int64_t k = 0;
    std::vector<epoll_event> events(256);
    for (;;) {
      const Nanos now = now_ns();
      // Every request that has fallen due by now goes to its connection (or waits there).
      for (Nanos due = due_time(k); now < measured_until_ && due <= now; due = due_time(++k)) {
        Connection& c = connections_[static_cast<std::size_t>(k % o_.connections)];
        c.due.push_back(due);
        if (c.busy) {
          if (measured(due)) ++totals_.waited;
        } else {
          if (measured(due)) totals_.send_lags.push_back(now_ns() - due);
          send_next(c);
        }
      }
      if (now >= measured_until_ && (outstanding() == 0 || now >= give_up)) break;
      const int n = ::epoll_wait(epoll_, events.data(), static_cast<int>(events.size()), 0);
      for (int i = 0; i < n; ++i) on_readable(connections_[events[static_cast<std::size_t>(i)].data.u64]);
    }
    for (auto& c : connections_) {  // what is still out after the drain
      for (const Nanos due : c.due) {
        if (measured(due)) ++totals_.timeouts;
      }
    }
  }

  void print() const {
    std::vector<Nanos> sorted = totals_.latencies;
    std::sort(sorted.begin(), sorted.end());
    std::printf("Running %gs paced load @ http://%s:%s%s\n", o_.duration_s, o_.host.c_str(), o_.port.c_str(),
                o_.target.c_str());
    std::printf(
        "  %d connections, %.0f requests/s due (open loop: latency counts from when a request fell due)\n",
        o_.connections, o_.rate);
    std::printf("  Latency Distribution\n");
    for (const double pct : {50.0, 75.0, 90.0, 99.0, 99.9}) {
      std::printf("  %5g%%  %s\n", pct, format_latency(percentile(sorted, pct)).c_str());
    }
    std::printf("  max     %s\n", format_latency(sorted.empty() ? 0 : sorted.back()).c_str());
    std::printf("  %zu requests in %.2fs, %.2fMB read\n", sorted.size(), o_.duration_s,
                static_cast<double>(totals_.bytes_read) / 1e6);
    std::printf("  %lld requests waited for their connection\n", static_cast<long long>(totals_.waited));
    std::vector<Nanos> lags = totals_.send_lags;
    std::sort(lags.begin(), lags.end());
    std::printf("  send lag of this program (requests sent on a free connection): p99 %s, max %s\n",
                format_latency(percentile(lags, 99)).c_str(),
                format_latency(lags.empty() ? 0 : lags.back()).c_str());
    if (totals_.non_2xx_3xx > 0) {
      std::printf("  Non-2xx or 3xx responses: %lld\n", static_cast<long long>(totals_.non_2xx_3xx));
    }
    std::printf("  Socket errors: connect %lld, read %lld, write %lld, timeout %lld\n",
                static_cast<long long>(totals_.connect_errors), static_cast<long long>(totals_.read_errors),
                static_cast<long long>(totals_.write_errors), static_cast<long long>(totals_.timeouts));
    std::printf("Requests/sec: %10.2f\n", static_cast<double>(sorted.size()) / o_.duration_s);
  }

 private:
  static Nanos seconds(double s) { return static_cast<Nanos>(s * 1e9); }

  // Request k falls due k / rate seconds after the start (computed from k, so no error accumulates).
  Nanos due_time(std::int64_t k) const {
    return start_ + static_cast<Nanos>(static_cast<double>(k) * 1e9 / o_.rate);
  }
  bool measured(Nanos due) const { return due >= measured_from_ && due < measured_until_; }

  std::size_t outstanding() const {
    std::size_t n = 0;
    for (const auto& c : connections_) n += c.due.size();
    return n;
  }

  static Nanos percentile(const std::vector<Nanos>& sorted, double pct) {
    if (sorted.empty()) return 0;
    const auto rank = static_cast<std::size_t>(pct / 100.0 * static_cast<double>(sorted.size() - 1) + 0.5);
    return sorted[std::min(rank, sorted.size() - 1)];
  }

  // As wrk writes latencies: microseconds below 1 ms, milliseconds below 1 s, then seconds.
  static std::string format_latency(Nanos ns) {
    char text[32];
    const double us = static_cast<double>(ns) / 1e3;
    if (us < 1e3) {
      std::snprintf(text, sizeof text, "%.2fus", us);
    } else if (us < 1e6) {
      std::snprintf(text, sizeof text, "%.2fms", us / 1e3);
    } else {
      std::snprintf(text, sizeof text, "%.2fs", us / 1e6);
    }
    return text;
  }

  bool connect(std::size_t index) {
    Connection& c = connections_[index];
    const int fd = ::socket(address_->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return false;
    if (::connect(fd, address_->ai_addr, address_->ai_addrlen) != 0) {
      ::close(fd);
      return false;
    }
    const int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
    epoll_event event{};
    event.events = EPOLLIN;
    event.data.u64 = index;
    ::epoll_ctl(epoll_, EPOLL_CTL_ADD, fd, &event);
    c.fd = fd;
    c.busy = false;
    c.input.clear();
    return true;
  }

  // The connection broke: the request that was out is lost (counted by the caller), the waiting ones
  // go out on a new connection.
  void reconnect(Connection& c) {
    const auto index = static_cast<std::size_t>(&c - connections_.data());
    ::close(c.fd);
    c.fd = -1;
    c.busy = false;
    if (!connect(index)) {
      ++totals_.connect_errors;
      for (const Nanos due : c.due) {  // they can never be sent
        if (measured(due)) ++totals_.write_errors;
      }
      c.due.clear();
      return;
    }
    if (!c.due.empty()) send_next(c);
  }

  void send_next(Connection& c) {
    if (c.fd < 0) {  // a connection that could not be made again: its requests fail
      if (measured(c.due.front())) ++totals_.write_errors;
      c.due.pop_front();
      return;
    }
    const ssize_t n = ::send(c.fd, request_.data(), request_.size(), MSG_NOSIGNAL);
    if (n != static_cast<ssize_t>(request_.size())) {  // an empty socket takes a small request whole
      if (measured(c.due.front())) ++totals_.write_errors;
      c.due.pop_front();
      reconnect(c);
      return;
    }
    c.busy = true;
  }

  void on_readable(Connection& c) {
    char buffer[16 * 1024];
    for (;;) {
      const ssize_t n = ::recv(c.fd, buffer, sizeof buffer, 0);
      if (n > 0) {
        c.input.append(buffer, static_cast<std::size_t>(n));
        totals_.bytes_read += n;
        continue;
      }
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
      if (n < 0 && errno == EINTR) continue;
      // Closed or reset by the server.
      if (c.busy) {
        if (measured(c.due.front())) ++totals_.read_errors;
        c.due.pop_front();
      }
      reconnect(c);
      return;
    }
    while (c.busy) {
      const auto framed = frame_response(c.input);
      if (!framed) return;
      if (framed->end == std::string::npos) {
        std::fprintf(stderr, "paced_load: a response without Content-Length (status %d); cannot frame it\n",
                     framed->status);
        std::exit(1);
      }
      const Nanos done = now_ns();
      if (measured(c.due.front())) {
        totals_.latencies.push_back(done - c.due.front());
        if (framed->status < 200 || framed->status >= 400) ++totals_.non_2xx_3xx;
      }
      c.input.erase(0, framed->end);
      c.due.pop_front();
      c.busy = false;
      if (!c.due.empty()) send_next(c);
    }
  }

  Options o_;
  std::string request_;
  int epoll_ = -1;
  addrinfo* address_ = nullptr;
  std::vector<Connection> connections_;
  Totals totals_;
  Nanos start_ = 0;
  Nanos measured_from_ = 0;
  Nanos measured_until_ = 0;
};

}  // namespace

int main(int argc, char** argv) {
  PacedLoad load(parse_options(argc, argv));
  load.run();
  load.print();
  return 0;
}
