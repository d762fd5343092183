#include "emulator/core/journal.hpp"

#include <fmt/format.h>
#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <iterator>
#include <stdexcept>

namespace emu::core {

// A running SHA-256. Failures of OpenSSL here mean an allocation failed or the library is broken;
// neither is an input error, so they throw like any other allocation failure would.
class Journal::Digest {
 public:
  Digest() : ctx_(EVP_MD_CTX_new()) {
    if (ctx_ == nullptr || EVP_DigestInit_ex(ctx_, EVP_sha256(), nullptr) != 1) {
      EVP_MD_CTX_free(ctx_);
      throw std::runtime_error("journal: cannot initialise SHA-256");
    }
  }
  ~Digest() { EVP_MD_CTX_free(ctx_); }
  Digest(const Digest&) = delete;
  Digest& operator=(const Digest&) = delete;

  void update(std::string_view bytes) {
    if (EVP_DigestUpdate(ctx_, bytes.data(), bytes.size()) != 1) {
      throw std::runtime_error("journal: SHA-256 update failed");
    }
  }

  // Finishes a copy, so that the running state can keep absorbing records.
  std::string hex() const {
    EVP_MD_CTX* copy = EVP_MD_CTX_new();
    std::array<unsigned char, EVP_MAX_MD_SIZE> bytes{};
    unsigned int length = 0;
    const bool ok = copy != nullptr && EVP_MD_CTX_copy_ex(copy, ctx_) == 1 &&
                    EVP_DigestFinal_ex(copy, bytes.data(), &length) == 1;
    EVP_MD_CTX_free(copy);
    if (!ok) throw std::runtime_error("journal: SHA-256 final failed");
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    out.reserve(length * 2);
    for (unsigned int i = 0; i < length; ++i) {
      out += kHex[bytes[i] >> 4];
      out += kHex[bytes[i] & 0x0f];
    }
    return out;
  }

 private:
  EVP_MD_CTX* ctx_;
};

namespace {

bool needs_escape(char c) { return c == '"' || c == '\\' || static_cast<unsigned char>(c) < 0x20; }

void append_escaped(std::string& out, std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += '"';
  std::size_t i = 0;
  while (i < text.size()) {
    // Copy the run of bytes that need no escape in one go: this is the hot path of every append.
    std::size_t run = i;
    while (run < text.size() && !needs_escape(text[run])) ++run;
    out.append(text.data() + i, run - i);
    if (run == text.size()) break;
    const char c = text[run];
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      default: {
        const auto byte = static_cast<unsigned char>(c);
        out += "\\u00";
        out += kHex[byte >> 4];
        out += kHex[byte & 0x0f];
      }
    }
    i = run + 1;
  }
  out += '"';
}

void append_field(std::string& out, std::string_view key, std::string_view value) {
  out += ",\"";
  out += key;
  out += "\":";
  append_escaped(out, value);
}

}  // namespace

Journal::Journal() : digest_(std::make_unique<Digest>()) {}
Journal::~Journal() = default;

void Journal::append_canonical_line(std::string& out, const JournalRecord& record) {
  // Integers through fmt's integer formatting only: it is exact and locale-independent.
  fmt::format_to(std::back_inserter(out), "{{\"seq\":{},\"time_ns\":{}", record.sequence,
                 record.time.time_since_epoch().count());
  out += ",\"time\":\"";
  append_timestamp(out, record.time);  // never needs escaping
  out += '"';
  append_field(out, "kind", record.kind);
  append_field(out, "subject", record.subject);
  append_field(out, "from", record.from);
  append_field(out, "to", record.to);
  append_field(out, "reason", record.reason);
  out += ",\"details\":{";
  bool first = true;
  for (const auto& [key, value] : record.details) {
    if (!first) out += ',';
    first = false;
    append_escaped(out, key);
    out += ':';
    append_escaped(out, value);
  }
  out += "}}";
}

std::string Journal::canonical_line(const JournalRecord& record) {
  std::string out;
  append_canonical_line(out, record);
  return out;
}

const JournalRecord& Journal::append(Time time, std::string kind, std::string subject, std::string from,
                                     std::string to, std::string reason, JournalRecord::Details details) {
  return append(JournalRecord{0, time, std::move(kind), std::move(subject), std::move(from), std::move(to),
                              std::move(reason), std::move(details)});
}

const JournalRecord& Journal::append(JournalRecord record) {
  record.sequence = next_sequence_;
  const JournalRecord& stored = store(std::move(record));
  ++next_sequence_;
  if (sink_) sink_(stored);
  return stored;
}

const JournalRecord& Journal::store(JournalRecord record) {
  return fold(*digest_, records_, retention_, line_, std::move(record));
}

const JournalRecord& Journal::fold(Digest& digest, std::deque<JournalRecord>& kept, std::size_t retention,
                                   std::string& line, JournalRecord record) {
  line.clear();
  append_canonical_line(line, record);
  line += '\n';
  digest.update(line);
  if (retention != 0 && kept.size() >= retention) kept.pop_front();
  kept.push_back(std::move(record));
  return kept.back();
}

std::vector<JournalRecord> Journal::since(std::uint64_t after, std::size_t limit) const {
  std::vector<JournalRecord> out;
  if (records_.empty() || limit == 0) return out;
  const std::uint64_t first = records_.front().sequence;
  const std::size_t start = after < first ? 0 : static_cast<std::size_t>(after - first + 1);
  if (start >= records_.size()) return out;
  const std::size_t count = std::min(limit, records_.size() - start);
  out.reserve(count);
  for (std::size_t i = start; i < start + count; ++i) out.push_back(records_[i]);
  return out;
}

void Journal::set_retention(std::size_t max_records) {
  retention_ = max_records;
  if (retention_ == 0) return;
  while (records_.size() > retention_) records_.pop_front();
}

std::string Journal::digest_hex() const { return digest_->hex(); }

Result<void> Journal::restore(std::vector<JournalRecord> records) {
  bool given = false;
  return restore_in_chunks([&]() -> Result<std::vector<JournalRecord>> {
    if (given) return std::vector<JournalRecord>{};
    given = true;
    return std::move(records);
  });
}

Result<void> Journal::restore_in_chunks(const ChunkSource& next_chunk) {
  auto digest = std::make_unique<Digest>();
  std::deque<JournalRecord> kept;
  std::string line;
  std::uint64_t previous = 0;  // the sequence of the last record taken, 0 before the first
  for (;;) {
    auto chunk = next_chunk();
    if (!chunk) return chunk.error();
    if (chunk->empty()) break;
    for (auto& record : *chunk) {
      if (previous == 0 && record.sequence == 0) {
        return Error::internal("journal restore: sequence numbers start at 1, found 0");
      }
      if (previous != 0 && record.sequence != previous + 1) {
        return Error::internal(
            fmt::format("journal restore: record {} follows record {} (records must be consecutive)",
                        record.sequence, previous));
      }
      previous = record.sequence;
      fold(*digest, kept, retention_, line, std::move(record));
    }
  }
  next_sequence_ = previous + 1;
  records_ = std::move(kept);
  digest_ = std::move(digest);
  return {};
}

}  // namespace emu::core
