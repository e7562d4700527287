"""Importer for the national portal's structured API format (``dvc-api-duynghiaqn/samples``)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from knowledge.importer import common as c
from knowledge.importer.sources import OTHER_GROUP, ProcedureSource, Source
from knowledge.schema import (
    Channel,
    ChannelKind,
    Document,
    Fee,
    FeeKind,
    LegalBasis,
    Level,
    ParseFlag,
    Procedure,
    ProcessingTime,
    TimeUnit,
)

DATASET = "dvc-api-duynghiaqn"
PORTAL_URL = "https://dichvucong.gov.vn/thu-tuc-hanh-chinh/{id}"
SOURCE_DATE = dt.date(2026, 10, 10)  # version.json last_updated (SOURCE.md); records carry no date

METHODS = {"ONLINE": ChannelKind.TRUC_TUYEN, "POSTAL": ChannelKind.BUU_CHINH, "DIRECT": ChannelKind.TRUC_TIEP}
UNITS = {
    "WORKING_DAY": TimeUnit.WORKING_DAY,
    "DAY": TimeUnit.DAY,
    "HOUR": TimeUnit.HOUR,
    "WORKING_HOUR": TimeUnit.WORKING_HOUR,
    "MONTH": TimeUnit.MONTH,
    "YEAR": TimeUnit.YEAR,
}
FEE_LABELS = {"FEE": "Lệ phí", "SERVICE_FEE": "Phí"}


def _names(items: list[dict] | None) -> list[str]:
    return [c.clean(i.get("name")) for i in items or [] if c.clean(i.get("name"))]


def parse_record(d: dict, today: dt.date) -> Procedure:
    flags: list[ParseFlag] = []
    raw: dict[str, str] = {}
    levels = [
        lv
        for key, lv in (
            ("isWard", Level.XA),
            ("isProvince", Level.TINH),
            ("isMinistry", Level.BO),
            ("isOtherAgency", Level.KHAC),
        )
        if d.get(key)
    ]
    channels: list[Channel] = []
    for m in d.get("executionMethods") or []:
        kind = METHODS.get(m.get("submissionMethod"))
        if kind is None:
            c.flag(flags, "channels", f"unknown submissionMethod {m.get('submissionMethod')!r}")
            raw["channels"] = json.dumps(d.get("executionMethods"), ensure_ascii=False)
            continue
        unit = UNITS.get(m.get("processingTimeUnit") or "", TimeUnit.UNKNOWN)
        if m.get("processingTime") is not None and unit is TimeUnit.UNKNOWN:
            c.flag(flags, "time", f"unknown unit {m.get('processingTimeUnit')!r}")
        value = m.get("processingTime")
        time = (
            ProcessingTime(
                value=value,
                unit=unit,
                text=c.clean(
                    f"{c.fmt_number(value)} {unit.value}" if unit is not TimeUnit.UNKNOWN else str(value)
                ),
            )
            if value is not None
            else None
        )
        fees: list[Fee] = []
        for f in m.get("fees") or []:
            label = FEE_LABELS.get(f.get("type"), "")
            desc = c.clean(f.get("description"))
            currency = c.clean(f.get("currencyName")) or "VNĐ"
            value = f.get("value")
            if value is None:
                fees.append(Fee(kind=FeeKind.TEXT, label=label, text=desc))
            elif currency.upper() in {"VNĐ", "VND", "ĐỒNG"} or not f.get("currencyName"):
                fees.append(c.fee_from_amount(int(value), "VNĐ", desc, label))
            else:
                fees.append(c.fee_from_amount(int(value), currency, desc, label))
        channels.append(Channel(kind=kind, time=time, fees=fees, description=c.clean(m.get("description"))))
    docs: list[Document] = []
    for case in d.get("executionCases") or []:
        case_name = c.clean(case.get("name")) or None
        for p in case.get("profileComponents") or []:
            forms = [a.get("fileName") for a in p.get("attachments") or [] if a.get("fileName")]
            docs.append(
                Document(
                    name=c.clean(p.get("name")),
                    form="; ".join(forms) or None,
                    originals=p.get("originalQty"),
                    copies=p.get("copyQty"),
                    case=case_name,
                )
            )
    steps: list[str] = []
    for s in d.get("executionSteps") or []:
        steps += c.split_steps("\n".join(x for x in (s.get("name"), s.get("description")) if x))
    proposal = d.get("procedureProposal") or {}
    return Procedure(
        code=c.clean(d.get("code") or d.get("codeNotation")),
        title=" ".join(c.clean(d.get("name")).split()),
        field="; ".join(_names(d.get("categoriesDetails"))),
        levels=levels,
        procedure_type=c.clean(d.get("formalityType")),
        decision=c.clean(proposal.get("proposalNumber") or d.get("decisionNo")),
        agency="; ".join(_names(d.get("departmentsExecuting"))) or c.clean(d.get("executingAgencies")),
        competent_authority="; ".join(_names(d.get("departmentsAuthority"))),
        coordinating_agency="; ".join(_names(d.get("departmentsCoordinating")))
        or c.clean(d.get("coordinatingAgencies")),
        address=c.clean(d.get("dossierReceivingAddresses")),
        applicants=_names(d.get("subjectTypesDetails")),
        channels=channels,
        steps=steps,
        documents=docs,
        conditions=c.value_or_empty(d.get("requirementsAndConditions")),
        result="\n".join(
            f"{r.get('name')} (mã {r.get('code')})" if r.get("code") else r.get("name", "")
            for r in d.get("resultsDetails") or []
        ),
        legal_bases=[
            LegalBasis(number=c.clean(lb.get("code")) or None, title=c.clean(lb.get("name")))
            for lb in d.get("legalBasisesDetails") or []
        ],
        keywords=[k.strip() for k in (d.get("keywords") or "").split(",") if k.strip()],
        source_url=PORTAL_URL.format(id=d.get("id")),
        source_dataset=DATASET,
        imported_at=today,
        raw=raw,
        flags=flags,
    )


def group_of(d: dict) -> str:
    """Folder of a record: the ministry that promulgated it (``departmentPromulgateName``), as a slug."""
    return c.slug(c.clean(d.get("departmentPromulgateName"))) or OTHER_GROUP


def _read(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


class PortalApi(ProcedureSource):
    """``samples/*.json``, one record each, grouped by the ministry each file names."""

    dataset = DATASET

    def iter_sources(self, raw_dir: Path) -> list[Source]:
        paths = sorted((raw_dir / DATASET / "samples").glob("*.json"))
        return [Source(p, group=group_of(_read(p)), source_date=SOURCE_DATE) for p in paths]

    def load(self, source: Source, today: dt.date) -> Procedure:
        return parse_record(_read(source.path), today)
