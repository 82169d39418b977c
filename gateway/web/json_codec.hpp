// The JSON of the website's and the operators' API (SPEC §2, §5), as pure functions: decoders
// check every field of an untrusted body and name the field in their error; encoders give the
// exact JSON a response carries. No HTTP here; gateway/web/routes.cpp maps requests to these.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "adapters/store/store.hpp"
#include "core/enrollment.hpp"
#include "gateway/service/service.hpp"

namespace cg::gateway::web {

// Who sees an encoded course or application: operators see everything; the website sees the
// applicant's phone masked and no operator fields.
enum class Audience { website, operators };

// ---- decoding (request bodies) ----

// A new course (POST /v1/admin/courses): every field checked; an unknown one is refused.
Result<core::Course> decode_course(const nlohmann::json& j);
// An operator's change to a course (PATCH /v1/admin/courses/{id}); code, fee, quorum and
// prerequisite are fixed once the course exists ("not_editable").
Result<CoursePatch> decode_course_patch(const nlohmann::json& j);
// An application (POST /v1/applications), checked as the card requires: E.164 phone, name, an
// identity document that fits the nationality, language.
Result<ApplyInput> decode_application(const nlohmann::json& j);
// A proven prerequisite (POST /v1/admin/prerequisites/{applicant}): `applicant` is the document
// number from the path, the body says its type and the prerequisite.
Result<PrerequisiteProof> decode_prerequisite(const nlohmann::json& j, std::string_view applicant);

// ---- encoding (response bodies) ----

nlohmann::json encode_course(const core::Course& c, Audience audience);
nlohmann::json encode_courses(const std::vector<core::Course>& courses, Audience audience);
nlohmann::json encode_application(const core::Application& a, Audience audience);
// GET /v1/applications/{id}: the application, its course and its history.
nlohmann::json encode_application_view(const ApplicationView& view);
// GET /v1/admin/courses/{id}/applications.
nlohmann::json encode_course_applications(std::int64_t course_id, const core::Course& course,
                                          const std::vector<core::Application>& applications);
nlohmann::json encode_outbox_figures(const store::OutboxFigures& figures);
nlohmann::json encode_apply_output(const ApplyOutput& out);
nlohmann::json encode_exam_output(const ExamOutput& out);
nlohmann::json encode_proof_output(const ProofOutput& out);
nlohmann::json encode_state(core::ApplicationState state);

}  // namespace cg::gateway::web
