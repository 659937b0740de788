#include "batch_test_support.hpp"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <gtest/gtest.h>
#include <hfrun/batch/engine.hpp>
#include <hfrun/util/cancel.hpp>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace hfrun::batch {
namespace {

using namespace std::chrono_literals;
using test_support::MemoryInput;

// `count` lines {"id": <n>, "n": <n>} (ids 1..count, the line numbers too).
std::string numbered_lines(std::size_t count) {
  std::string text;
  for (std::size_t n = 1; n <= count; ++n) {
    text += "{\"id\":" + std::to_string(n) + ",\"n\":" + std::to_string(n) + "}\n";
  }
  return text;
}

ItemResult ok_result(const Item& item) {
  ItemResult result;
  result.ok = true;
  result.result = {{"echo", item.fields}};
  result.status = 200;
  result.attempts = 1;
  return result;
}

ItemResult failed_result(ErrorKind kind, std::string message) {
  ItemResult result;
  result.error = make_error(kind, std::move(message));
  result.attempts = 1;
  return result;
}

// Collects the rows written, parsed, in the order written.
struct Rows {
  std::mutex mutex;
  std::vector<nlohmann::json> rows;
  std::vector<std::string> lines;
  RowWriter writer() {
    return [this](std::string_view line) -> Result<void> {
      std::lock_guard lock(mutex);
      lines.emplace_back(line);
      rows.push_back(nlohmann::json::parse(line));
      return {};
    };
  }
  [[nodiscard]] std::vector<nlohmann::json> ids() {
    std::lock_guard lock(mutex);
    std::vector<nlohmann::json> out;
    for (const auto& row : rows) {
      out.push_back(row.at("id"));
    }
    return out;
  }
};

Result<Summary> run_text(const std::string& text,
                         const EngineOptions& options,
                         const ItemRunner& runner,
                         Rows& rows) {
  MemoryInput in(text);
  LineReader reader(in.get());
  return run_batch(reader, options, runner, rows.writer());
}

// Waits (at most `limit`) until `done()`; true when it became so.
template <class F> bool eventually(F done, std::chrono::milliseconds limit = 5s) {
  const auto until = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    if (std::chrono::steady_clock::now() > until) {
      return false;
    }
    std::this_thread::sleep_for(1ms);
  }
  return true;
}

// A FILE* that hands the reader one byte per read and counts the newlines it has handed out:
// how many lines the engine has read so far, seen from outside it.
class CountingInput {
public:
  explicit CountingInput(std::string text) : m_text(std::move(text)) {
    cookie_io_functions_t io{};
    io.read = [](void* cookie, char* buf, std::size_t size) -> ssize_t {
      auto* self = static_cast<CountingInput*>(cookie);
      if (self->m_pos >= self->m_text.size() || size == 0) {
        return 0;
      }
      buf[0] = self->m_text[self->m_pos++];
      if (buf[0] == '\n') {
        self->m_lines_read.fetch_add(1);
      }
      return 1;
    };
    m_file = ::fopencookie(this, "r", io);
    std::setvbuf(m_file, nullptr, _IONBF, 0);
  }
  ~CountingInput() { std::fclose(m_file); }
  CountingInput(const CountingInput&) = delete;
  CountingInput& operator=(const CountingInput&) = delete;

  [[nodiscard]] std::FILE* get() const { return m_file; }
  [[nodiscard]] std::size_t lines_read() const { return m_lines_read.load(); }

private:
  std::string m_text;
  std::size_t m_pos = 0;
  std::atomic<std::size_t> m_lines_read{0};
  std::FILE* m_file = nullptr;
};

// --- run_batch ---

TEST(RunBatch, EveryLineGetsExactlyOneRow) {
  Rows rows;
  EngineOptions options;
  options.concurrency = 4;
  const auto summary = run_text(numbered_lines(50), options, ok_result, rows);
  ASSERT_TRUE(summary.has_value()) << summary.error().message;
  std::multiset<int> ids;
  for (const auto& id : rows.ids()) {
    ids.insert(id.get<int>());
  }
  ASSERT_EQ(ids.size(), 50U);
  for (int n = 1; n <= 50; ++n) {
    EXPECT_EQ(ids.count(n), 1U) << n;
  }
  EXPECT_EQ(summary->counts.ok, 50U);
  EXPECT_EQ(summary->counts.failed, 0U);
  EXPECT_FALSE(summary->interrupted);
}

TEST(RunBatch, EachRowCarriesItsLinesResult) {
  Rows rows;
  EngineOptions options;
  options.concurrency = 1;
  const auto summary = run_text(R"({"id":"x","text":"hello"})"
                                "\n",
                                options, ok_result, rows);
  ASSERT_TRUE(summary.has_value());
  ASSERT_EQ(rows.rows.size(), 1U);
  EXPECT_EQ(rows.rows[0]["id"], "x");
  EXPECT_EQ(rows.rows[0]["line"], 1);
  EXPECT_EQ(rows.rows[0]["ok"], true);
  EXPECT_EQ(rows.rows[0]["result"], nlohmann::json({{"echo", {{"text", "hello"}}}}));
}

TEST(RunBatch, FailedItemsAreRowsAndAreCounted) {
  Rows rows;
  EngineOptions options;
  options.concurrency = 3;
  const auto runner = [](const Item& item) {
    return item.fields.at("n").get<int>() % 3 == 0 ? failed_result(ErrorKind::rejected, "no")
                                                   : ok_result(item);
  };
  const auto summary = run_text(numbered_lines(9), options, runner, rows);
  ASSERT_TRUE(summary.has_value()) << summary.error().message;
  EXPECT_EQ(summary->counts.ok, 6U);
  EXPECT_EQ(summary->counts.failed, 3U);
  std::size_t failed_rows = 0;
  for (const auto& row : rows.rows) {
    if (row["ok"] == false) {
      ++failed_rows;
      EXPECT_EQ(row["error"]["kind"], "rejected");
      EXPECT_EQ(row["id"].get<int>() % 3, 0);
    }
  }
  EXPECT_EQ(failed_rows, 3U);
}

TEST(RunBatch, BadLinesBecomeErrorRowsWithTheirLineNumberWithoutRunning) {
  Rows rows;
  EngineOptions options;
  options.concurrency = 2;
  options.ordered = true;
  std::atomic<int> calls{0};
  const auto runner = [&](const Item& item) {
    ++calls;
    return ok_result(item);
  };
  const auto summary =
      run_text("{\"id\":\"a\"}\n\nnot json\n[1,2]\n{\"id\":\"d\"}\n", options, runner, rows);
  ASSERT_TRUE(summary.has_value()) << summary.error().message;
  EXPECT_EQ(calls.load(), 2);
  EXPECT_EQ(summary->counts.failed, 2U);
  ASSERT_EQ(rows.rows.size(), 4U);
  for (std::size_t i : {1U, 2U}) {
    const auto& row = rows.rows[i];
    const int line = i == 1 ? 3 : 4;
    EXPECT_EQ(row["ok"], false);
    EXPECT_EQ(row["line"], line);
    EXPECT_EQ(row["id"], line);
    EXPECT_EQ(row["error"]["kind"], "usage");
    EXPECT_EQ(row["error"]["exit_code"], 2);
    EXPECT_NE(row["error"]["message"].get<std::string>().find("line " + std::to_string(line)),
              std::string::npos)
        << row.dump();
  }
}

TEST(RunBatch, OrderedKeepsInputOrderWhenLaterItemsFinishFirst) {
  Rows rows;
  EngineOptions options;
  options.concurrency = 4;
  options.ordered = true;
  const auto runner = [](const Item& item) {
    const int n = item.fields.at("n").get<int>();
    // Early items take longest: without the reorder they would come out last.
    std::this_thread::sleep_for(std::chrono::milliseconds(n <= 4 ? 5 * (5 - n) : 0));
    return ok_result(item);
  };
  const auto summary = run_text(numbered_lines(20), options, runner, rows);
  ASSERT_TRUE(summary.has_value()) << summary.error().message;
  std::vector<nlohmann::json> expected;
  for (int n = 1; n <= 20; ++n) {
    expected.emplace_back(n);
  }
  EXPECT_EQ(rows.ids(), expected);
}

TEST(RunBatch, OrderedHoldsARowUntilTheEarlierOnesAreWritten) {
  Rows rows;
  EngineOptions options;
  options.concurrency = 3;
  options.ordered = true;
  std::atomic<int> later_done{0};
  const auto runner = [&](const Item& item) {
    if (item.fields.at("n") == 1) {
      EXPECT_TRUE(eventually([&] { return later_done.load() == 2; }));
      std::this_thread::sleep_for(10ms); // their rows reach the engine before this one
    } else {
      ++later_done;
    }
    return ok_result(item);
  };
  const auto summary = run_text(numbered_lines(3), options, runner, rows);
  ASSERT_TRUE(summary.has_value());
  EXPECT_EQ(rows.ids(), (std::vector<nlohmann::json>{1, 2, 3}));
}

TEST(RunBatch, UnorderedWritesRowsAsTheyFinish) {
  Rows rows;
  EngineOptions options;
  options.concurrency = 2;
  const auto runner = [&](const Item& item) {
    if (item.fields.at("n") == 1) {
      // Finishes only once line 2's row is out.
      EXPECT_TRUE(eventually([&] {
        std::lock_guard lock(rows.mutex);
        return !rows.rows.empty();
      }));
    }
    return ok_result(item);
  };
  const auto summary = run_text(numbered_lines(2), options, runner, rows);
  ASSERT_TRUE(summary.has_value());
  EXPECT_EQ(rows.ids(), (std::vector<nlohmann::json>{2, 1}));
}

TEST(RunBatch, ShardRunsOnlyItsLines) {
  Rows rows;
  EngineOptions options;
  options.concurrency = 2;
  options.ordered = true;
  options.shard = Shard{1, 3};
  const auto summary = run_text(numbered_lines(10), options, ok_result, rows);
  ASSERT_TRUE(summary.has_value());
  EXPECT_EQ(rows.ids(), (std::vector<nlohmann::json>{2, 5, 8}));
  EXPECT_EQ(summary->counts.ok, 3U);
}

TEST(RunBatch, ShardCountsBlankLinesAsLines) {
  Rows rows;
  EngineOptions options;
  options.concurrency = 1;
  options.shard = Shard{0, 2};
  // Lines 1 and 3 are shard 0's; line 3 is blank, so only line 1 runs (line 4 is shard 1's).
  const auto summary =
      run_text("{\"id\":\"a\"}\n{\"id\":\"b\"}\n\n{\"id\":\"d\"}\n", options, ok_result, rows);
  ASSERT_TRUE(summary.has_value());
  EXPECT_EQ(rows.ids(), (std::vector<nlohmann::json>{"a"}));
}

TEST(RunBatch, SkipSetItemsDoNotRunAndAreCounted) {
  Rows rows;
  const std::set<std::string> done{id_key("b"), id_key(3)};
  EngineOptions options;
  options.concurrency = 2;
  options.ordered = true;
  options.skip = &done;
  std::mutex mutex;
  std::vector<nlohmann::json> ran;
  const auto runner = [&](const Item& item) {
    std::lock_guard lock(mutex);
    ran.push_back(item.id);
    return ok_result(item);
  };
  // Line 3 has no id: its id is 3, which is done. "3" (a string) is not.
  const auto summary = run_text(
      "{\"id\":\"a\"}\n{\"id\":\"b\"}\n{\"text\":\"t\"}\n{\"id\":\"3\"}\n", options, runner, rows);
  ASSERT_TRUE(summary.has_value());
  EXPECT_EQ(rows.ids(), (std::vector<nlohmann::json>{"a", "3"}));
  EXPECT_EQ(summary->counts.skipped, 2U);
  EXPECT_EQ(ran.size(), 2U);
}

TEST(RunBatch, FailingWriterStopsTheRunWithItsError) {
  EngineOptions options;
  options.concurrency = 1;
  std::atomic<int> calls{0};
  const auto runner = [&](const Item& item) {
    ++calls;
    return ok_result(item);
  };
  std::atomic<int> writes{0};
  const RowWriter writer = [&](std::string_view) -> Result<void> {
    ++writes;
    return fail(ErrorKind::output_failed, "writing rows.jsonl failed: disk full");
  };
  MemoryInput in(numbered_lines(1000));
  LineReader reader(in.get());
  const auto summary = run_batch(reader, options, runner, writer);
  ASSERT_FALSE(summary.has_value());
  EXPECT_EQ(summary.error().kind, ErrorKind::output_failed);
  EXPECT_EQ(summary.error().message, "writing rows.jsonl failed: disk full");
  EXPECT_EQ(writes.load(), 1); // no row written after the failure
  EXPECT_LE(calls.load(), 3);  // and (a queued item or two aside) no item started
}

TEST(RunBatch, NeverRunsMoreItemsAtOnceThanTheConcurrency) {
  Rows rows;
  EngineOptions options;
  options.concurrency = 3;
  std::atomic<int> running{0};
  std::atomic<int> most{0};
  const auto runner = [&](const Item& item) {
    const int now = ++running;
    int seen = most.load();
    while (now > seen && !most.compare_exchange_weak(seen, now)) {
    }
    std::this_thread::sleep_for(2ms);
    --running;
    return ok_result(item);
  };
  const auto summary = run_text(numbered_lines(60), options, runner, rows);
  ASSERT_TRUE(summary.has_value());
  EXPECT_LE(most.load(), 3);
}

TEST(RunBatch, RunsAsManyItemsAtOnceAsTheConcurrency) {
  Rows rows;
  EngineOptions options;
  options.concurrency = 3;
  std::atomic<int> arrived{0};
  std::atomic<bool> all_met{true};
  const auto runner = [&](const Item& item) {
    ++arrived;
    // The first three wait for each other: only three workers at once can get past this.
    if (item.fields.at("n").get<int>() <= 3 && !eventually([&] { return arrived.load() >= 3; })) {
      all_met = false;
    }
    return ok_result(item);
  };
  const auto summary = run_text(numbered_lines(6), options, runner, rows);
  ASSERT_TRUE(summary.has_value());
  EXPECT_TRUE(all_met.load());
}

TEST(RunBatch, CancelStopsReadingAndInterruptedItemsGetNoRow) {
  util::CancelToken cancel;
  Rows rows;
  EngineOptions options;
  options.concurrency = 2;
  options.cancel = &cancel;
  std::atomic<int> calls{0};
  const auto runner = [&](const Item& item) {
    if (++calls == 1) {
      cancel.cancel(2); // Ctrl-C during the first item to start (not always line 1's)
    }
    if (cancel.cancelled()) {
      return failed_result(ErrorKind::interrupted, "interrupted");
    }
    return ok_result(item);
  };
  CountingInput in(numbered_lines(1000));
  LineReader reader(in.get());
  const auto summary = run_batch(reader, options, runner, rows.writer());
  ASSERT_TRUE(summary.has_value()) << summary.error().message;
  EXPECT_TRUE(summary->interrupted);
  EXPECT_LT(in.lines_read(), 20U);
  EXPECT_LT(calls.load(), 10);
  // Rows of items that finished before the cancel stay; none for the interrupted ones.
  for (const auto& row : rows.rows) {
    EXPECT_EQ(row["ok"], true) << row.dump();
  }
  EXPECT_EQ(summary->counts.failed, 0U);
}

TEST(RunBatch, RowsFinishedBeforeACancelAreKept) {
  util::CancelToken cancel;
  Rows rows;
  EngineOptions options;
  options.concurrency = 1;
  options.ordered = true;
  options.cancel = &cancel;
  const auto runner = [&](const Item& item) {
    if (item.fields.at("n") == 3) {
      cancel.cancel(15);
      return failed_result(ErrorKind::terminated, "terminated");
    }
    return ok_result(item);
  };
  const auto summary = run_text(numbered_lines(100), options, runner, rows);
  ASSERT_TRUE(summary.has_value());
  EXPECT_EQ(rows.ids(), (std::vector<nlohmann::json>{1, 2}));
  EXPECT_EQ(summary->counts.ok, 2U);
  EXPECT_TRUE(summary->interrupted);
}

TEST(RunBatch, ReaderStaysAFewLinesAheadOfTheWorkers) {
  // Memory flat in the number of lines: with 2 workers the engine never holds more than a
  // handful of lines read but not finished (2 running, 2 queued, 1 waiting for room).
  CountingInput in(numbered_lines(2000));
  EngineOptions options;
  options.concurrency = 2;
  std::atomic<std::size_t> finished{0};
  std::atomic<std::size_t> most_ahead{0};
  const auto runner = [&](const Item& item) {
    const std::size_t ahead = in.lines_read() - finished.load();
    std::size_t seen = most_ahead.load();
    while (ahead > seen && !most_ahead.compare_exchange_weak(seen, ahead)) {
    }
    if (item.fields.at("n").get<int>() % 100 == 0) {
      std::this_thread::sleep_for(5ms); // now and then, time for a greedy reader to run ahead
    }
    ++finished;
    return ok_result(item);
  };
  Rows rows;
  LineReader reader(in.get());
  const auto summary = run_batch(reader, options, runner, rows.writer());
  ASSERT_TRUE(summary.has_value());
  EXPECT_EQ(summary->counts.ok, 2000U);
  EXPECT_LE(most_ahead.load(), 6U);
}

TEST(RunBatch, OrderedReaderWaitsBehindAStuckFirstItem) {
  // --ordered: the rows held behind a slow first item are bounded by the reorder window, and
  // so are the lines read.
  CountingInput in(numbered_lines(500));
  EngineOptions options;
  options.concurrency = 2;
  options.ordered = true;
  options.reorder_window = 6;
  std::atomic<std::size_t> read_while_stuck{0};
  const auto runner = [&](const Item& item) {
    if (item.fields.at("n") == 1) {
      std::this_thread::sleep_for(100ms);
      read_while_stuck = in.lines_read();
    }
    return ok_result(item);
  };
  Rows rows;
  LineReader reader(in.get());
  const auto summary = run_batch(reader, options, runner, rows.writer());
  ASSERT_TRUE(summary.has_value());
  EXPECT_EQ(rows.rows.size(), 500U);
  EXPECT_LE(read_while_stuck.load(), 6U + 1U);
}

TEST(RunBatch, SummaryCountsRetriesAndCallsProgressAtTheEnd) {
  EngineOptions options;
  options.concurrency = 2;
  std::mutex mutex;
  std::vector<Counts> progress;
  options.on_progress = [&](const Counts& counts) {
    std::lock_guard lock(mutex);
    progress.push_back(counts);
  };
  const auto runner = [](const Item& item) {
    auto result = ok_result(item);
    result.attempts = 3;
    result.retries = 2;
    return result;
  };
  Rows rows;
  const auto summary = run_text(numbered_lines(4), options, runner, rows);
  ASSERT_TRUE(summary.has_value());
  EXPECT_EQ(summary->counts.retries, 8U);
  ASSERT_FALSE(progress.empty());
  EXPECT_EQ(progress.back().ok, 4U);
  EXPECT_EQ(progress.back().in_flight, 0U);
}

TEST(RunBatch, EmptyInputWritesNoRows) {
  Rows rows;
  EngineOptions options;
  const auto summary = run_text("\n\n", options, ok_result, rows);
  ASSERT_TRUE(summary.has_value());
  EXPECT_TRUE(rows.rows.empty());
  EXPECT_EQ(summary->counts.ok + summary->counts.failed, 0U);
}

// --- row_line ---

Item item_of(nlohmann::json id, std::size_t line) {
  Item item;
  item.id = std::move(id);
  item.line = line;
  return item;
}

TEST(RowLine, OkRowHasItsFields) {
  ItemResult result;
  result.ok = true;
  result.result = {{"label", "POSITIVE"}};
  result.status = 200;
  result.attempts = 2;
  const std::string line = row_line(item_of("doc-1", 4), result, 123ms, nullptr);
  ASSERT_FALSE(line.empty());
  EXPECT_EQ(line.back(), '\n');
  const auto row = nlohmann::json::parse(line);
  EXPECT_EQ(row, nlohmann::json({{"id", "doc-1"},
                                 {"line", 4},
                                 {"ok", true},
                                 {"result", {{"label", "POSITIVE"}}},
                                 {"status", 200},
                                 {"duration_ms", 123},
                                 {"elapsed_ms", 123},
                                 {"attempts", 2}}));
}

TEST(RowLine, ErrorRowHasTheWholeError) {
  ItemResult result;
  result.error.kind = ErrorKind::rate_limited;
  result.error.message = "the model is rate limited";
  result.error.http_status = 429;
  result.error.server_message = "slow down";
  result.error.request_id = "req-1";
  result.error.hint = "lower -j";
  result.attempts = 5;
  const auto row = nlohmann::json::parse(row_line(item_of(7, 7), result, 9ms, nullptr));
  EXPECT_EQ(row, nlohmann::json({{"id", 7},
                                 {"line", 7},
                                 {"ok", false},
                                 {"error",
                                  {{"kind", "rate_limited"},
                                   {"exit_code", 5},
                                   {"message", "the model is rate limited"},
                                   {"status", 429},
                                   {"server_message", "slow down"},
                                   {"request_id", "req-1"},
                                   {"hint", "lower -j"}}},
                                 {"status", 429},
                                 {"duration_ms", 9},
                                 {"elapsed_ms", 9},
                                 {"attempts", 5}}));
}

TEST(RowLine, ErrorWithoutReplyHasNullsForWhatItLacks) {
  ItemResult result;
  result.error = make_error(ErrorKind::network, "could not resolve host");
  const auto row = nlohmann::json::parse(row_line(item_of(1, 1), result, 0ms, nullptr));
  EXPECT_TRUE(row["status"].is_null());
  EXPECT_TRUE(row["error"]["status"].is_null());
  EXPECT_TRUE(row["error"]["server_message"].is_null());
  EXPECT_TRUE(row["error"]["request_id"].is_null());
  EXPECT_TRUE(row["error"]["hint"].is_null());
  EXPECT_FALSE(row.contains("result"));
}

TEST(RowLine, MaskIsAppliedToTheErrorsText) {
  const std::string secret = "hf_abcdefSECRET";
  ItemResult result;
  result.error = make_error(ErrorKind::auth, "token " + secret + " was refused", "check " + secret);
  result.error.server_message = "bad token " + secret;
  const auto mask = [&](std::string_view text) {
    std::string out(text);
    for (auto at = out.find(secret); at != std::string::npos; at = out.find(secret)) {
      out.replace(at, secret.size(), "hf_***");
    }
    return out;
  };
  const std::string line = row_line(item_of(1, 1), result, 0ms, mask);
  EXPECT_EQ(line.find(secret), std::string::npos) << line;
  const auto row = nlohmann::json::parse(line);
  EXPECT_EQ(row["error"]["message"], "token hf_*** was refused");
  EXPECT_EQ(row["error"]["server_message"], "bad token hf_***");
  EXPECT_EQ(row["error"]["hint"], "check hf_***");
}

TEST(RowLine, IsOneLineWhateverTheTextHolds) {
  ItemResult result;
  result.error = make_error(ErrorKind::rejected, "first\nsecond \xff invalid utf-8");
  const std::string line = row_line(item_of("a\nb", 1), result, 0ms, nullptr);
  EXPECT_EQ(line.find('\n'), line.size() - 1);
  EXPECT_FALSE(nlohmann::json::parse(line, nullptr, false).is_discarded());
}

} // namespace
} // namespace hfrun::batch
