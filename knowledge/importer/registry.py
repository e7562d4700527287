"""The inputs of ``tthc kb import``, in import order: a new data source is one line here
(with its import). Order matters on a tie: when two records of one code have the same
``source_date``, the later source wins (see :class:`knowledge.importer.build.Records`)."""

from __future__ import annotations

from knowledge.importer.bqp import Bqp
from knowledge.importer.dvc_chatbot import DvcChatbot, DvcChatbotLists
from knowledge.importer.portal_api import PortalApi
from knowledge.importer.portal_export import PortalExport
from knowledge.importer.procedure_lists import OnlineServices
from knowledge.importer.sources import ListSource, ProcedureSource

# procedure records (one file, one Procedure): knowledge/procedures/<group>/<code>.yaml
SOURCES: list[ProcedureSource] = [DvcChatbot(), Bqp(), PortalExport(), PortalApi()]

# procedures known by name only: knowledge/known_procedures.yaml
LISTS: list[ListSource] = [DvcChatbotLists(), OnlineServices()]
