// The third-party provider tasks beyond chat, completions and text-to-image (router.cpp): speech
// recognition, speech, embeddings, image-to-image, segmentation and video, each on the routes and
// in the reply shapes of its provider (the providers' documented shapes, as huggingface_hub's
// inference/_providers/*.py read them), with the queues the real services keep: fal-ai's queue
// (IN_QUEUE -> IN_PROGRESS -> COMPLETED, one step per status poll), Replicate predictions,
// Together video jobs, WaveSpeed and Z.ai async results. Results are URLs on the CDN role
// (/provider-media/...), which refuses a request that carries a token, as pre-signed storage does.
#pragma once

#include "context.hpp"
#include "router_util.hpp"

#include <optional>
#include <string>

namespace emulator::router {

// POST /{provider}/{rest}: the answer when this module serves the pair (the model's mapping for
// that provider names a task served here), else nullopt (router.cpp's own handlers then answer).
[[nodiscard]] std::optional<Reply> serve_provider_task(Context& ctx,
                                                       const httplib::Request& req,
                                                       const std::string& provider,
                                                       const std::string& rest);
// GET /{provider}/{rest}: a job's status or result; nullopt when no job of this module matches.
[[nodiscard]] std::optional<Reply> poll_provider_job(Context& ctx,
                                                     const httplib::Request& req,
                                                     const std::string& provider,
                                                     const std::string& rest);

// The CDN role's /provider-media/{kind}/{seed}/{name}: true when it answered the request.
bool serve_provider_media(const httplib::Request& req, httplib::Response& res);

} // namespace emulator::router
