// The queue's messages as Gradio servers send them (spaces.md §4.2, §6.3), one at a time.
#include <gtest/gtest.h>
#include <hfrun/space/job.hpp>

namespace hfrun::space {
namespace {

using nlohmann::json;

struct Recorder final : JobWatcher {
  void on_status(const JobStatus& status) override { statuses.push_back(status); }
  void on_log(const std::string& level, const std::string& text) override {
    logs.push_back(level + ": " + text);
  }
  Result<void> on_update(const json& data) override {
    updates.push_back(data);
    if (fail_updates) {
      return fail(ErrorKind::output_failed, "stdout closed");
    }
    return {};
  }
  std::vector<JobStatus> statuses;
  std::vector<std::string> logs;
  std::vector<json> updates;
  bool fail_updates = false;
};

Result<Job::Step> feed(Job& job, Recorder& r, const char* text) {
  return job.on_message(json::parse(text), r);
}

TEST(SpaceJob, QueueProgressLogAndCompletion) {
  Job job(true);
  job.set_event_id("e1");
  Recorder r;
  EXPECT_EQ(*feed(job, r,
                  R"({"msg":"estimation","event_id":"e1","rank":1,"queue_size":3,"rank_eta":2.5})"),
            Job::Step::more);
  ASSERT_EQ(r.statuses.size(), 1u);
  EXPECT_FALSE(r.statuses[0].started);
  EXPECT_EQ(r.statuses[0].rank, 1);
  EXPECT_EQ(r.statuses[0].queue_size, 3);
  EXPECT_EQ(r.statuses[0].eta_s, 2.5);
  (void)feed(job, r, R"({"msg":"process_starts","event_id":"e1","eta":1.0})");
  EXPECT_TRUE(r.statuses.back().started);
  (void)feed(
      job, r,
      R"({"msg":"progress","event_id":"e1","progress_data":[{"index":1,"length":3,"unit":"steps","progress":null,"desc":"denoising"}]})");
  ASSERT_EQ(r.statuses.back().progress.size(), 1u);
  EXPECT_EQ(r.statuses.back().progress[0].index, 1);
  EXPECT_EQ(r.statuses.back().progress[0].desc, "denoising");
  (void)feed(job, r, R"({"msg":"log","event_id":"e1","log":"warming up","level":"info"})");
  EXPECT_EQ(r.logs, std::vector<std::string>{"info: warming up"});
  EXPECT_EQ(*feed(job, r, R"({"msg":"heartbeat","event_id":null})"), Job::Step::more);
  auto done = feed(
      job, r,
      R"({"msg":"process_completed","event_id":"e1","success":true,"output":{"data":["done"]}})");
  ASSERT_TRUE(done);
  EXPECT_EQ(*done, Job::Step::completed);
  EXPECT_EQ(job.data(), json::parse(R"(["done"])"));
  EXPECT_EQ(*feed(job, r, R"({"msg":"close_stream","event_id":null})"), Job::Step::stream_closed);
}

TEST(SpaceJob, GeneratingDiffsAreAppliedAndTheFinalValueWins) {
  Job job(true);
  job.set_event_id("e1");
  Recorder r;
  (void)feed(
      job, r,
      R"({"msg":"process_generating","event_id":"e1","output":{"data":["You"]},"success":true})");
  (void)feed(
      job, r,
      R"({"msg":"process_generating","event_id":"e1","output":{"data":[[["append",[]," said"]]]},"success":true})");
  (void)feed(
      job, r,
      R"({"msg":"process_generating","event_id":"e1","output":{"data":[[["append",[],": hi"]]]},"success":true})");
  ASSERT_EQ(r.updates.size(), 3u);
  EXPECT_EQ(r.updates[1], json::parse(R"(["You said"])"));
  EXPECT_EQ(r.updates[2], json::parse(R"(["You said: hi"])"));
  (void)feed(
      job, r,
      R"({"msg":"process_completed","event_id":"e1","output":{"data":["You said: hi"]},"success":true})");
  EXPECT_EQ(job.data(), json::parse(R"(["You said: hi"])"));
  EXPECT_EQ(job.updates(), 3);
}

TEST(SpaceJob, WithoutDiffsEveryUpdateIsFull) {
  Job job(false); // sse_v1, /call
  Recorder r;
  (void)feed(job, r, R"({"msg":"process_generating","output":{"data":["a"]}})");
  (void)feed(job, r, R"({"msg":"process_generating","output":{"data":["ab"]}})");
  EXPECT_EQ(r.updates.back(), json::parse(R"(["ab"])"));
}

TEST(SpaceJob, OtherEventsOfTheSessionAreIgnored) {
  Job job(true);
  job.set_event_id("mine");
  Recorder r;
  EXPECT_EQ(
      *feed(
          job, r,
          R"({"msg":"process_completed","event_id":"other","output":{"data":[1]},"success":true})"),
      Job::Step::more);
  EXPECT_FALSE(job.completed());
}

TEST(SpaceJob, AppErrorsWithAndWithoutText) {
  Recorder r;
  Job hidden(true);
  auto e1 = feed(
      hidden, r,
      R"({"msg":"process_completed","output":{"error":null},"success":false,"title":"Error"})");
  ASSERT_FALSE(e1);
  EXPECT_EQ(e1.error().kind, ErrorKind::rejected);
  EXPECT_EQ(e1.error().message, "the app raised an error and shows no details");
  Job shown(true);
  auto e2 = feed(
      shown, r,
      R"({"msg":"process_completed","output":{"error":"Cannot divide by zero","visible":true},"success":false,"title":"Error"})");
  ASSERT_FALSE(e2);
  EXPECT_EQ(e2.error().kind, ErrorKind::rejected);
  EXPECT_EQ(e2.error().server_message, "Cannot divide by zero");
}

TEST(SpaceJob, ZeroGpuQuotaIsARateLimit) {
  Recorder r;
  Job job(true);
  auto e = feed(
      job, r,
      R"({"msg":"process_completed","success":false,"output":{"error":"You have exceeded your free GPU quota (60s requested vs. 0s left). Try again in 0:09:48"}})");
  ASSERT_FALSE(e);
  EXPECT_EQ(e.error().kind, ErrorKind::rate_limited);
  EXPECT_EQ(app_error(json::parse(R"({"error":"No GPU was available after 60s"})"), "").kind,
            ErrorKind::rate_limited);
}

TEST(SpaceJob, UnexpectedErrorEndsTheJob) {
  Recorder r;
  Job job(true);
  auto e = feed(
      job, r,
      R"({"msg":"unexpected_error","message":"Session not found.","session_not_found":true,"success":false})");
  ASSERT_FALSE(e);
  EXPECT_EQ(e.error().kind, ErrorKind::unavailable);
  EXPECT_EQ(e.error().server_message, "Session not found.");
}

TEST(SpaceJob, AFailingWatcherStopsTheJob) {
  Recorder r;
  r.fail_updates = true;
  Job job(true);
  auto e = feed(job, r, R"({"msg":"process_generating","output":{"data":["x"]}})");
  ASSERT_FALSE(e);
  EXPECT_EQ(e.error().kind, ErrorKind::output_failed);
}

TEST(SpaceJob, CancelledJobCompletesWithoutData) {
  Recorder r;
  Job job(true);
  auto done = feed(job, r, R"({"msg":"process_completed","output":{},"success":true})");
  ASSERT_TRUE(done);
  EXPECT_EQ(*done, Job::Step::completed);
  EXPECT_EQ(job.data(), json::array());
}

TEST(SpaceDiff, EveryActionAndPath) {
  json value = json::parse(R"({"messages":[["hi","hel"]],"n":1})");
  ASSERT_TRUE(apply_diff(
      value,
      json::parse(
          R"([["append",["messages",0,1],"lo"],["replace",["n"],2],["add",["messages",1],["new"]],["add",["k"],true]])")));
  EXPECT_EQ(value, json::parse(R"({"messages":[["hi","hello"],["new"]],"n":2,"k":true})"));
  ASSERT_TRUE(
      apply_diff(value, json::parse(R"([["delete",["messages",0],null],["delete",["k"],null]])")));
  EXPECT_EQ(value, json::parse(R"({"messages":[["new"]],"n":2})"));
  json list = json::parse("[1]");
  ASSERT_TRUE(apply_diff(list, json::parse(R"([["append",[],[2,3]]])")));
  EXPECT_EQ(list, json::parse("[1,2,3]"));
  json whole = "a";
  ASSERT_TRUE(apply_diff(whole, json::parse(R"([["replace",[],"b"]])")));
  EXPECT_EQ(whole, "b");
}

TEST(SpaceDiff, MalformedDiffsAreBadResponses) {
  json value = json::parse(R"({"a":[1]})");
  for (const char* bad : {R"("x")", R"([["append"]])", R"([["append",["missing"],"x"]])",
                          R"([["delete",["a",5],null]])", R"([["explode",["a"],1]])",
                          R"([["append",["a",0],"x"]])", R"([["add",[],1]])"}) {
    auto applied = apply_diff(value, json::parse(bad));
    ASSERT_FALSE(applied) << bad;
    EXPECT_EQ(applied.error().kind, ErrorKind::bad_response) << bad;
  }
}

} // namespace
} // namespace hfrun::space
