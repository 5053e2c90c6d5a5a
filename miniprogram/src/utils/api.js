// The endpoint map: every server route the mini-program calls, in one place.
// `body` lists the fields it sends, `reads` the response fields pages use; a contract test
// (tests/contract.test.js) checks all of them against the server's OpenAPI document.
const ENDPOINTS = {
  login: { method: 'POST', path: '/api/v1/auth/wechat', auth: false, body: ['code'], reads: ['token', 'user', 'member'] },
  me: { method: 'GET', path: '/api/v1/me', reads: ['user', 'roles', 'member', 'registration'] },
  bindPhone: { method: 'POST', path: '/api/v1/me/phone', body: ['code'], reads: ['phone'] },
  confirmDeskLogin: { method: 'POST', path: '/api/v1/console/login-requests/{code}/confirm', reads: ['state', 'agent'] },
  deskSessions: { method: 'GET', path: '/api/v1/me/desk-sessions', reads: ['items'] },
  endDeskSession: { method: 'DELETE', path: '/api/v1/me/desk-sessions/{session_id}', reads: ['status'] },
  devUsers: { method: 'GET', path: '/api/v1/console/dev-users', auth: false, reads: ['items'] },
  orgs: { method: 'GET', path: '/api/v1/orgs', reads: ['items'] },
  markets: { method: 'GET', path: '/api/v1/markets', query: ['org_id', 'under'], reads: ['items'] },
  marketStalls: {
    method: 'GET', path: '/api/v1/markets/{market_id}/spot-checks', query: ['year'], reads: ['market_id', 'year', 'checked', 'hung', 'items'],
  },
  addSpotCheck: { method: 'POST', path: '/api/v1/markets/{market_id}/spot-checks', query: ['stall_no', 'hung', 'readable', 'note'], upload: 'photo' },
  standardisation: {
    method: 'GET', path: '/api/v1/markets/{market_id}/standardisation', query: ['year'], reads: ['market_name', 'year', 'met', 'missing', 'areas'],
  },
  uploadEvidence: { method: 'POST', path: '/api/v1/markets/{market_id}/standardisation/{year}/items/{item_key}/evidence', upload: 'file' },
  statisticsOverview: {
    method: 'GET', path: '/api/v1/statistics/overview', query: ['org_id'], reads: ['org_name', 'last_snapshot', 'figures', 'markets'],
  },

  submitRegistration: {
    method: 'POST', path: '/api/v1/registrations',
    body: ['unit_name', 'name', 'mobile', 'is_owner', 'household_district', 'life_org_id', 'home_org', 'standing',
      'placement', 'market_id', 'stall_no', 'category', 'filled_by_name', 'filled_by_phone'],
    reads: ['id', 'status'],
  },
  registrations: { method: 'GET', path: '/api/v1/registrations', query: ['status', 'limit', 'offset'], reads: ['items', 'total'] },
  approveRegistration: { method: 'POST', path: '/api/v1/registrations/{registration_id}/approve', body: ['category'], reads: ['id'] },
  rejectRegistration: { method: 'POST', path: '/api/v1/registrations/{registration_id}/reject', body: ['reason'], reads: ['status', 'reject_reason'] },

  member: {
    method: 'GET', path: '/api/v1/members/{member_id}',
    reads: ['id', 'name', 'unit_name', 'category', 'standing', 'gender', 'joined_party_on', 'full_member_on', 'business_status',
      'business_status_since', 'away_since', 'membership', 'left_on', 'left_reason', 'life_org_id', 'market_id', 'stall_no'],
  },
  updateMember: {
    method: 'PATCH', path: '/api/v1/members/{member_id}',
    body: ['business_status', 'away_since', 'membership', 'left_reason', 'effective_on', 'reason'], reads: ['id', 'business_status', 'away_since', 'membership'],
  },
  memberCode: { method: 'GET', path: '/api/v1/members/{member_id}/member-code', reads: ['code', 'url', 'qr', 'issued_at'] },
  reissueMemberCode: { method: 'POST', path: '/api/v1/members/{member_id}/member-code', reads: ['code', 'url', 'qr', 'issued_at'] },
  memberHistory: { method: 'GET', path: '/api/v1/members/{member_id}/history', reads: ['items'] },

  activities: { method: 'GET', path: '/api/v1/activities', query: ['from', 'limit', 'offset'], reads: ['items', 'total'] },
  activity: { method: 'GET', path: '/api/v1/activities/{activity_id}', reads: ['id', 'title', 'starts_at', 'ends_at', 'place', 'status'] },
  createActivity: {
    method: 'POST', path: '/api/v1/activities',
    body: ['org_id', 'kind', 'title', 'starts_at', 'duration_minutes', 'place'], reads: ['id'],
  },
  checkinCode: { method: 'GET', path: '/api/v1/activities/{activity_id}/checkin-code', reads: ['token', 'url', 'expires_in', 'qr'] },
  checkin: { method: 'POST', path: '/api/v1/checkins', body: ['token', 'nonce', 'location'], reads: ['activity_title', 'checked_in_at'] },
  attendance: { method: 'GET', path: '/api/v1/activities/{activity_id}/attendance', reads: ['expected', 'present', 'leave', 'absent', 'entries'] },
  markAttendance: { method: 'PUT', path: '/api/v1/activities/{activity_id}/attendance/{member_id}', body: ['status', 'note'], reads: ['entries'] },
  requestLeave: { method: 'POST', path: '/api/v1/activities/{activity_id}/leave', body: ['reason'], reads: ['status'] },
  offlinePack: {
    method: 'GET', path: '/api/v1/activities/{activity_id}/offline-pack',
    reads: ['activity_id', 'title', 'pack', 'issued_at', 'opens_at', 'valid_until', 'members'],
  },
  offlineScans: {
    method: 'POST', path: '/api/v1/activities/{activity_id}/offline-scans',
    body: ['device_id', 'pack', 'downloaded_at', 'sent_at', 'scans'], reads: ['results', 'counts'],
  },
  myLeave: { method: 'GET', path: '/api/v1/activities/{activity_id}/leave/mine', reads: ['leave'] },
  leaveRequests: { method: 'GET', path: '/api/v1/activities/{activity_id}/leave', reads: ['items'] },
  approveLeave: { method: 'POST', path: '/api/v1/activities/{activity_id}/leave/{leave_id}/approve', reads: ['status'] },
  rejectLeave: { method: 'POST', path: '/api/v1/activities/{activity_id}/leave/{leave_id}/reject', reads: ['status'] },
  subscribeReminder: { method: 'POST', path: '/api/v1/activities/{activity_id}/reminder', reads: ['status'] },
  record: {
    method: 'GET', path: '/api/v1/activities/{activity_id}/record',
    reads: ['kind', 'decides', 'host', 'recorder', 'speaker', 'guests', 'topics', 'resolutions', 'minutes', 'expected', 'present',
      'leave', 'absent', 'unrecorded', 'quorum', 'absences'],
  },
  saveRecord: {
    method: 'PUT', path: '/api/v1/activities/{activity_id}/record',
    body: ['host_id', 'recorder_id', 'speaker_id', 'speaker_name', 'guests', 'topics', 'resolutions', 'minutes'],
    reads: ['quorum', 'host', 'recorder', 'speaker'],
  },
  myAttendance: { method: 'GET', path: '/api/v1/members/{member_id}/attendance', query: ['limit', 'offset'], reads: ['items', 'total'] },
  meetingPlan: { method: 'GET', path: '/api/v1/reports/meeting-plan', query: ['org_id', 'year'], reads: ['org_name', 'year', 'kinds', 'attention'] },
  subscribePlanReminder: { method: 'POST', path: '/api/v1/orgs/{org_id}/meeting-plan/reminder', reads: ['status'] },

  myEvaluation: { method: 'GET', path: '/api/v1/me/evaluation', reads: ['items'] },
  saveSelfEvaluation: { method: 'PUT', path: '/api/v1/evaluations/{evaluation_id}/self', body: ['items', 'summary'], reads: ['id'] },
  gradePeer: { method: 'PUT', path: '/api/v1/evaluations/{evaluation_id}/peers/{peer_evaluation_id}', body: ['grade'], reads: ['grade'] },
  announcement: {
    method: 'GET', path: '/api/v1/public/announcements/{code}', auth: false,
    reads: ['cycle_id', 'org_name', 'year', 'announced_on', 'announce_until', 'open', 'items'],
  },
  objectTo: { method: 'POST', path: '/api/v1/evaluations/cycles/{cycle_id}/objections', body: ['evaluation_id', 'reason'], reads: ['id'] },
  evaluationCycles: { method: 'GET', path: '/api/v1/evaluations/cycles', reads: ['items'] },
  evaluationCycle: { method: 'GET', path: '/api/v1/evaluations/cycles/{cycle_id}', reads: ['id', 'org_name', 'year', 'stage', 'counts', 'scheme'] },
  reviewTable: {
    method: 'GET', path: '/api/v1/evaluations/cycles/{cycle_id}/evaluations', query: ['status', 'limit', 'offset'], reads: ['items', 'total'],
  },
  evaluationDetail: {
    method: 'GET', path: '/api/v1/evaluations/{evaluation_id}',
    reads: ['id', 'name', 'scheme', 'self_items', 'self_summary', 'peer_counts', 'customer', 'record', 'review_items', 'adjustments', 'score', 'stars'],
  },
  saveReview: { method: 'PUT', path: '/api/v1/evaluations/{evaluation_id}/review', body: ['items', 'adjustments'], reads: ['score', 'stars'] },
  followUps: { method: 'GET', path: '/api/v1/evaluations/cycles/{cycle_id}/follow-ups', query: ['open'], reads: ['items'] },
  saveFollowUp: {
    method: 'PUT', path: '/api/v1/evaluations/{evaluation_id}/follow-up',
    body: ['talk_on', 'talk_by', 'talk_notes', 'mentor_evaluation_id', 'due_on'], reads: ['done', 'mentor_name'],
  },

  floating: {
    method: 'GET', path: '/api/v1/members/{member_id}/floating',
    reads: ['name', 'registered', 'id_number', 'home_org', 'home_org_contact', 'home_org_phone', 'home_org_address', 'inflow_on',
      'activity_card_no', 'proof_state', 'proof_reason', 'recheck_due', 'recheck_overdue', 'comments', 'letters'],
  },
  saveFloating: {
    method: 'PUT', path: '/api/v1/members/{member_id}/floating',
    body: ['id_number', 'home_org_contact', 'home_org_phone', 'home_org_address', 'inflow_on', 'activity_card_no'], reads: ['proof_state'],
  },
  uploadFloatingProof: { method: 'POST', path: '/api/v1/members/{member_id}/floating/proof', upload: 'file' },
  floatingProof: { method: 'GET', path: '/api/v1/members/{member_id}/floating/proof', file: true },
  confirmFloatingProof: { method: 'POST', path: '/api/v1/members/{member_id}/floating/proof/confirm', reads: ['proof_state'] },
  rejectFloatingProof: { method: 'POST', path: '/api/v1/members/{member_id}/floating/proof/reject', body: ['reason'], reads: ['proof_state'] },
  floatingComment: { method: 'PUT', path: '/api/v1/members/{member_id}/floating/comments/{year}', body: ['grade', 'text'], reads: ['grade'] },
  subscribeReceiptReminder: { method: 'POST', path: '/api/v1/floating/reminders', body: ['org_id'], reads: ['status'] },
  floatingReport: {
    method: 'GET', path: '/api/v1/reports/floating', query: ['org_id', 'year'],
    reads: ['org_name', 'year', 'floating', 'identity_confirmed', 'comments_written', 'letters_sent', 'receipts_returned', 'overdue', 'members'],
  },

  consentText: { method: 'GET', path: '/api/v1/profile-consent', reads: ['version', 'text'] },
  profile: { method: 'GET', path: '/api/v1/members/{member_id}/profile', reads: ['pledge', 'pledge_max', 'has_photo', 'public', 'plate_code', 'plate_url'] },
  updatePledge: { method: 'PATCH', path: '/api/v1/members/{member_id}/profile', body: ['pledge'], reads: ['pledge'] },
  uploadPhoto: { method: 'POST', path: '/api/v1/members/{member_id}/profile/photo', upload: 'photo' },
  giveConsent: { method: 'POST', path: '/api/v1/members/{member_id}/profile/consent', body: ['version'], reads: ['public'] },
  withdrawConsent: { method: 'DELETE', path: '/api/v1/members/{member_id}/profile/consent', reads: ['public'] },
  issuePlate: { method: 'POST', path: '/api/v1/members/{member_id}/plate', reads: ['code', 'url', 'public'] },
  platePng: { method: 'GET', path: '/api/v1/members/{member_id}/plate.png', file: true },
  myRatings: { method: 'GET', path: '/api/v1/members/{member_id}/ratings', query: ['limit', 'offset'], reads: ['items', 'total'] },

  ratings: { method: 'GET', path: '/api/v1/ratings', query: ['status', 'member_id', 'limit', 'offset'], reads: ['items', 'total'] },
  publishRating: { method: 'POST', path: '/api/v1/ratings/{rating_id}/publish', reads: ['status'] },
  hideRating: { method: 'POST', path: '/api/v1/ratings/{rating_id}/hide', body: ['reason'], reads: ['status', 'hidden_reason'] },
  replyRating: { method: 'PUT', path: '/api/v1/ratings/{rating_id}/reply', body: ['reply'], reads: ['reply'] },

  publicProfile: {
    method: 'GET', path: '/api/v1/public/plates/{code}', auth: false,
    reads: ['name', 'photo_url', 'badge', 'market', 'stall', 'unit_name', 'pledge', 'stars', 'rating_average', 'rating_count', 'ratings'],
  },
  rate: { method: 'POST', path: '/api/v1/public/plates/{code}/ratings', auth: 'optional', body: ['score', 'comment', 'complaint', 'nonce'], reads: ['status', 'message'] },
};

// '/api/v1/members/{member_id}/plate' + {member_id: 7} -> '/api/v1/members/7/plate'
function fillPath(path, params) {
  return path.replace(/\{(\w+)\}/g, (_, name) => {
    if (params == null || params[name] === undefined || params[name] === null || params[name] === '') {
      throw new Error(`missing path parameter ${name} for ${path}`);
    }
    return encodeURIComponent(String(params[name]));
  });
}

module.exports = { ENDPOINTS, fillPath };
