"""HTTP for the 先锋指数 evaluation, its public announcement page and its summary workbook."""
import asyncio
from pathlib import Path
from urllib.parse import quote

from sanic import Blueprint
from sanic.response import html, raw

from server import audit
from server import pagetemplates
from server.apidoc import doc, reply
from server.auth import authenticate
from server.errors import NotFound
from server.evaluation import cycles, review, summary, work
from server.evaluation.schemas import (
    AnnounceIn, Announcement, AnswerIn, CorrectionIn, CycleIn, CycleList, CycleOut, CycleQuery, EvaluationDetail,
    EvaluationOut, FollowUpIn, FollowUpList, FollowUpOut, FollowUpQuery, MyEvaluations, ObjectionIn, ObjectionList,
    ObjectionOut, OutstandingIn, PeerGradeOut, PeerIn, ReviewIn, ReviewTable, SelfIn, TableQuery, VetoIn,
)
from server.validation import Id, Query, parse_body, parse_query

bp = Blueprint("evaluation")
pages = Blueprint("evaluation_pages")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TAG = "evaluation"
_templates = pagetemplates.environment(Path(__file__).parent / "templates")


class AnnouncementNotFound(NotFound):
    code, message = "announcement_not_found", "找不到这份公示"


async def _cycle_out(cycle, with_counts=True) -> CycleOut:
    return CycleOut(**cycles.view(cycle, await cycles.progress(cycle) if with_counts else None))


@bp.post("/evaluations/cycles")
@doc("开展年度先锋指数考评（生成考评名单和互评安排）", tag=TAG, ok=CycleOut, status=201, body=CycleIn, errors=(403, 404, 409))
async def create_cycle(request):
    principal = await authenticate(request)
    data = parse_body(request, CycleIn)
    cycle, _ = await cycles.create_cycle(principal, data.model_dump())
    return reply(await _cycle_out(cycle), 201)


@bp.get("/evaluations/cycles")
@doc("考评列表（管辖范围内的）", tag=TAG, ok=CycleList, query=CycleQuery)
async def list_cycles(request):
    principal = await authenticate(request)
    query = parse_query(request, CycleQuery)
    return reply(CycleList(items=[await _cycle_out(c, False) for c in await cycles.list_cycles(principal, query.year)]))


@bp.get("/evaluations/cycles/<cycle_id:int>")
@doc("考评详情：所处阶段和各阶段进度", tag=TAG, ok=CycleOut, errors=(404,))
async def get_cycle(request, cycle_id: int):
    principal = await authenticate(request)
    return reply(await _cycle_out(await cycles.staff_cycle(principal, cycle_id)))


@bp.get("/evaluations/cycles/<cycle_id:int>/roster")
@doc("考评名单：范围内每一位党员，参加或不参加的原因", tag=TAG, ok=ReviewTable, query=TableQuery, errors=(404,))
async def roster(request, cycle_id: int):
    return await _table(request, cycle_id)


@bp.get("/evaluations/cycles/<cycle_id:int>/evaluations")
@doc("组织审定表：自评、互评（只有人数）、群众评价、审定分并列", tag=TAG, ok=ReviewTable, query=TableQuery, errors=(404,))
async def review_table(request, cycle_id: int):
    return await _table(request, cycle_id)


async def _table(request, cycle_id: int):
    principal = await authenticate(request)
    query = parse_query(request, TableQuery)
    _, rows, total = await review.table(principal, cycle_id, **query.model_dump())
    return reply(ReviewTable(items=rows, total=total))


@bp.post("/evaluations/cycles/<cycle_id:int>/vetoes")
@doc("一票否决（须写明理由，记入审计）", tag=TAG, ok=EvaluationOut, body=VetoIn, errors=(404, 409))
async def veto(request, cycle_id: int):
    principal = await authenticate(request)
    data = parse_body(request, VetoIn)
    e = await review.veto(principal, cycle_id, data.member_id, data.reason)
    return reply(EvaluationOut.model_validate(e, from_attributes=True))


@bp.post("/evaluations/cycles/<cycle_id:int>/announce")
@doc("公示考评结果（全部审定后）", tag=TAG, ok=CycleOut, body=AnnounceIn, errors=(403, 404, 409))
async def announce(request, cycle_id: int):
    principal = await authenticate(request)
    data = parse_body(request, AnnounceIn)
    return reply(await _cycle_out(await cycles.announce(principal, cycle_id, data.days)))


@bp.post("/evaluations/cycles/<cycle_id:int>/objections")
@doc("对公示结果提出异议（登录即可）", tag=TAG, ok=ObjectionOut, status=201, body=ObjectionIn, errors=(404, 409, 429))
async def object_to(request, cycle_id: int):
    principal = await authenticate(request)
    data = parse_body(request, ObjectionIn)
    objection = await work.object_to(principal, cycle_id, data.evaluation_id, data.reason, request.app.ctx.store)
    return reply(ObjectionOut.model_validate(objection, from_attributes=True), 201)


@bp.get("/evaluations/cycles/<cycle_id:int>/objections")
@doc("公示期收到的异议", tag=TAG, ok=ObjectionList, errors=(404,))
async def objections(request, cycle_id: int):
    principal = await authenticate(request)
    return reply(ObjectionList(items=await review.objections(principal, cycle_id)))


@bp.post("/evaluations/objections/<objection_id:int>/answer")
@doc("答复异议", tag=TAG, ok=ObjectionOut, body=AnswerIn, errors=(404, 409))
async def answer(request, objection_id: int):
    principal = await authenticate(request)
    data = parse_body(request, AnswerIn)
    return reply(ObjectionOut.model_validate(await review.answer(principal, objection_id, data.answer), from_attributes=True))


@bp.post("/evaluations/cycles/<cycle_id:int>/finalize")
@doc("确定考评结果（公示期满、异议都已答复）", tag=TAG, ok=CycleOut, errors=(403, 404, 409))
async def finalize(request, cycle_id: int):
    principal = await authenticate(request)
    return reply(await _cycle_out(await cycles.finalize(principal, cycle_id, request.app.ctx.store)))


@bp.get("/evaluations/cycles/<cycle_id:int>/follow-ups")
@doc("一星、二星党员的谈心谈话和结对帮扶", tag=TAG, ok=FollowUpList, query=FollowUpQuery, errors=(404,))
async def follow_ups(request, cycle_id: int):
    principal = await authenticate(request)
    query = parse_query(request, FollowUpQuery)
    return reply(FollowUpList(items=await review.follow_ups(principal, cycle_id, query.open)))


@bp.get("/me/evaluation")
@doc("我的先锋指数考评：自评、要互评的党员、星级", tag=TAG, ok=MyEvaluations)
async def mine(request):
    principal = await authenticate(request)
    return reply(MyEvaluations(items=await work.my_tasks(principal)))


@bp.put("/evaluations/<evaluation_id:int>/self")
@doc("提交或修改个人自评（截止日期前）", tag=TAG, ok=EvaluationOut, body=SelfIn, errors=(404, 409))
async def save_self(request, evaluation_id: int):
    principal = await authenticate(request)
    data = parse_body(request, SelfIn)
    e = await work.save_self(principal, evaluation_id, data.items, data.summary)
    return reply(EvaluationOut(id=e.id, stars=None, outstanding=False, veto_reason=None))


@bp.put("/evaluations/<evaluation_id:int>/peers/<peer_evaluation_id:int>")
@doc("互评：给安排的一位党员评等次（匿名，只有本人看得到自己评了什么）", tag=TAG, ok=PeerGradeOut, body=PeerIn,
     errors=(404, 409))
async def grade_peer(request, evaluation_id: int, peer_evaluation_id: int):
    principal = await authenticate(request)
    data = parse_body(request, PeerIn)
    pair = await work.grade_peer(principal, evaluation_id, peer_evaluation_id, data.grade)
    return reply(PeerGradeOut(peer_evaluation_id=pair.ratee_id, grade=pair.grade))


@bp.get("/evaluations/<evaluation_id:int>")
@doc("一位党员的考评：各项输入、本年度组织生活和培训、审定", tag=TAG, ok=EvaluationDetail, errors=(404,))
async def detail(request, evaluation_id: int):
    principal = await authenticate(request)
    return reply(EvaluationDetail(**await review.detail(principal, evaluation_id)))


@bp.put("/evaluations/<evaluation_id:int>/review")
@doc("组织审定：逐项打分，加分减分附理由", tag=TAG, ok=EvaluationDetail, body=ReviewIn, errors=(404, 409))
async def save_review(request, evaluation_id: int):
    principal = await authenticate(request)
    data = parse_body(request, ReviewIn)
    adjustments = [a.model_dump() for a in data.adjustments]
    return reply(EvaluationDetail(**await review.review(principal, evaluation_id, data.items, adjustments)))


@bp.put("/evaluations/<evaluation_id:int>/outstanding")
@doc("推选或取消优秀党员（只能从四星、五星中推选）", tag=TAG, ok=EvaluationOut, body=OutstandingIn, errors=(404, 409))
async def outstanding(request, evaluation_id: int):
    principal = await authenticate(request)
    data = parse_body(request, OutstandingIn)
    e = await review.nominate(principal, evaluation_id, data.outstanding)
    return reply(EvaluationOut.model_validate(e, from_attributes=True))


@bp.put("/evaluations/<evaluation_id:int>/follow-up")
@doc("记录谈心谈话、指定结对帮扶人（一星、二星党员）", tag=TAG, ok=FollowUpOut, body=FollowUpIn, errors=(404, 409))
async def follow_up(request, evaluation_id: int):
    principal = await authenticate(request)
    data = parse_body(request, FollowUpIn)
    return reply(FollowUpOut(**await review.set_follow_up(principal, evaluation_id, data.model_dump(exclude_unset=True))))


@bp.post("/evaluations/<evaluation_id:int>/corrections")
@doc("结果确定后更正星级（须写明理由，记入审计）", tag=TAG, ok=EvaluationOut, status=201, body=CorrectionIn, errors=(404, 409))
async def correct(request, evaluation_id: int):
    principal = await authenticate(request)
    data = parse_body(request, CorrectionIn)
    e = await review.correct(principal, evaluation_id, data.stars, data.reason, request.app.ctx.store)
    return reply(EvaluationOut.model_validate(e, from_attributes=True), 201)


class SummaryQuery(Query):
    cycle_id: Id


@bp.get("/reports/evaluations.xlsx")
@doc("先锋指数考评汇总（Excel：按党组织；市场内党员另成一表）", tag="reports", query=SummaryQuery, errors=(404,), media=XLSX)
async def summary_workbook(request):
    principal = await authenticate(request)
    query = parse_query(request, SummaryQuery)
    cycle = await cycles.staff_cycle(principal, query.cycle_id)
    data = await summary.read(cycle, await principal.org_ids())
    body = await asyncio.to_thread(summary.build, data)
    await audit.record("evaluation.summary.exported", actor=principal.user, org=cycle.org_id, target=cycle)
    filename = quote(f"{cycle.org.name}{cycle.year}年度先锋指数考评汇总.xlsx")
    return raw(body, content_type=XLSX, headers={"Content-Disposition": f"attachment; filename*=UTF-8''{filename}"})


@bp.get("/public/announcements/<code:str>")
@doc("考评结果公示（公开：姓名、单位、市场摊位、星级；不含分数）", tag=TAG, ok=Announcement, auth=False, errors=(404,))
async def public_announcement(request, code: str):
    found = await work.announcement(code)
    if found is None:
        raise AnnouncementNotFound()
    return reply(Announcement(**found))


@pages.get("/gs/<code:str>")
@doc("考评结果公示页面（无需 JavaScript）", tag="pages", auth=False, media="text/html", errors=(404,), html_errors=True)
async def announcement_page(request, code: str):
    found = await work.announcement(code)
    if found is None:
        body = _templates.get_template("message.html").render(heading="找不到这份公示", message=AnnouncementNotFound.message)
        return html(body, status=404)
    return html(_templates.get_template("announcement.html").render(a=found))
