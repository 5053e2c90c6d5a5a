"""HTTP for markets, their 六化 checklist with evidence, and plate spot checks."""
from sanic import Blueprint
from sanic.response import raw

from server.apidoc import doc, reply
from server.auth import authenticate
from server.errors import ValidationFailed
from server.markets import checks, service
from server.markets.schemas import (
    AttestIn, EvidenceOut, MarketCreate, MarketDetail, MarketList, MarketOut, MarketFilter, MarketUpdate, SpotCheckIn,
    SpotCheckOut, Standardisation, StallList, MarketYearQuery,
)
from server.validation import parse_body, parse_query

bp = Blueprint("markets")
TAG = "markets"
EVIDENCE_TYPES = "image/jpeg, image/png, image/webp, application/pdf"
PRIVATE = {"Cache-Control": "private, no-store"}


def _file(request, field: str, what: str) -> bytes:
    upload = request.files.get(field) if request.files else None
    if upload is None:
        raise ValidationFailed(fields={field: f"请选择要上传的{what}"})
    return upload.body


@bp.get("/markets")
@doc("商品交易市场列表", tag=TAG, ok=MarketList, query=MarketFilter)
async def list_markets(request):
    await authenticate(request)
    query = parse_query(request, MarketFilter)
    return reply(MarketList(items=await service.list_markets(query.org_id, query.district, query.under)))


@bp.post("/markets")
@doc("登记市场（管理员）", tag=TAG, ok=MarketOut, status=201, body=MarketCreate, errors=(403, 404, 409))
async def create_market(request):
    principal = await authenticate(request)
    data = parse_body(request, MarketCreate)
    market = await service.create_market(principal, data.model_dump())
    return reply(MarketDetail(**await service.detail(market)), 201)


@bp.get("/markets/<market_id:int>")
@doc("市场详情：举办者、党组织、党务工作者和阵地保障", tag=TAG, ok=MarketDetail, errors=(404,))
async def get_market(request, market_id: int):
    principal = await authenticate(request)
    return reply(MarketDetail(**await service.detail(await service.staff_market(principal, market_id))))


@bp.patch("/markets/<market_id:int>")
@doc("修改市场信息（书记、管理员；只改提交的项目，null 清空星级、组建方式、建制和经费）", tag=TAG, ok=MarketDetail,
     body=MarketUpdate, errors=(404, 409))
async def update_market(request, market_id: int):
    principal = await authenticate(request)
    data = parse_body(request, MarketUpdate)
    market = await service.update_market(principal, market_id, data.model_dump(exclude_unset=True))
    return reply(MarketDetail(**await service.detail(market)))


@bp.get("/markets/<market_id:int>/standardisation")
@doc("六化清单：六个方面逐项是否达标，计算项给出数字，认定项给出检查人、日期和材料", tag=TAG, ok=Standardisation,
     query=MarketYearQuery, errors=(404, 409))
async def standardisation(request, market_id: int):
    principal = await authenticate(request)
    query = parse_query(request, MarketYearQuery)
    return reply(Standardisation(**await checks.checklist(principal, market_id, query.year)))


@bp.put("/markets/<market_id:int>/standardisation/<year:int>/items/<item_key:str>")
@doc("认定六化清单的一项（认定达标须先上传材料）", tag=TAG, ok=Standardisation, body=AttestIn, errors=(404, 409))
async def attest(request, market_id: int, year: int, item_key: str):
    principal = await authenticate(request)
    data = parse_body(request, AttestIn)
    await checks.attest(principal, market_id, year, item_key, data.model_dump())
    return reply(Standardisation(**await checks.checklist(principal, market_id, year)))


@bp.post("/markets/<market_id:int>/standardisation/<year:int>/items/<item_key:str>/evidence")
@doc("上传六化材料（照片或 PDF）", tag=TAG, ok=EvidenceOut, status=201, upload="file", upload_types=EVIDENCE_TYPES,
     errors=(404, 409, 413, 415, 429))
async def add_evidence(request, market_id: int, year: int, item_key: str):
    principal = await authenticate(request)
    data = _file(request, "file", "照片或 PDF")
    evidence = await checks.add_evidence(principal, market_id, year, item_key, data, request.app.ctx.files,
                                         request.app.ctx.store)
    return reply(EvidenceOut.model_validate(evidence), 201)


@bp.get("/markets/<market_id:int>/evidence/<evidence_id:int>")
@doc("查看一份六化材料", tag=TAG, media="image/jpeg, application/pdf", errors=(404,))
async def evidence_file(request, market_id: int, evidence_id: int):
    principal = await authenticate(request)
    data, content_type = await checks.read_evidence(principal, market_id, evidence_id, request.app.ctx.files)
    return raw(data, content_type=content_type, headers=PRIVATE)


@bp.post("/markets/<market_id:int>/spot-checks")
@doc("记录一个摊位的三亮牌抽查（附照片）", tag=TAG, ok=SpotCheckOut, status=201, query=SpotCheckIn, upload="photo",
     errors=(404, 409, 413, 415, 429))
async def add_spot_check(request, market_id: int):
    principal = await authenticate(request)
    form = parse_query(request, SpotCheckIn)
    upload = request.files.get("photo") if request.files else None
    check = await checks.spot_check(principal, market_id, form.model_dump(), upload.body if upload else None,
                                    request.app.ctx.files, request.app.ctx.store)
    return reply(SpotCheckOut.model_validate(check), 201)


@bp.get("/markets/<market_id:int>/spot-checks")
@doc("摊位抽查情况：每个有党员的摊位、是否发牌、本年最近一次抽查，以及要整改的摊位", tag=TAG, ok=StallList,
     query=MarketYearQuery, errors=(404, 409))
async def list_stalls(request, market_id: int):
    principal = await authenticate(request)
    query = parse_query(request, MarketYearQuery)
    return reply(StallList(**await checks.stalls(principal, market_id, query.year)))


@bp.get("/markets/<market_id:int>/spot-checks/<check_id:int>/photo.jpg")
@doc("抽查照片", tag=TAG, media="image/jpeg", errors=(404,))
async def spot_check_photo(request, market_id: int, check_id: int):
    principal = await authenticate(request)
    data = await checks.spot_check_photo(principal, market_id, check_id, request.app.ctx.files)
    return raw(data, content_type="image/jpeg", headers=PRIVATE)
