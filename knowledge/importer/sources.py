"""What a data source of ``tthc kb import`` implements.

Two kinds of input, each with its own small protocol and its own list in
:mod:`knowledge.importer.registry`:

* :class:`ProcedureSource`: files that each give one :class:`~knowledge.schema.Procedure`
  (written to ``knowledge/procedures/<group>/<code>.yaml``);
* :class:`ListSource`: lists of procedures known by name only
  (:class:`~knowledge.schema.KnownProcedure`, written to ``knowledge/known_procedures.yaml``).

Notices are neither: they are the curated seed texts (``settings.seeds_dir``), not raw data, and
:func:`knowledge.importer.build.run` parses every ``*.txt`` there with :mod:`~knowledge.importer.notices`.
"""

from __future__ import annotations

import datetime as dt
from abc import ABC, abstractmethod
from dataclasses import dataclass
from pathlib import Path

from knowledge.schema import KnownProcedure, Procedure

OTHER_GROUP = "khac"  # the folder of records no ministry claims


@dataclass(frozen=True)
class Source:
    """One input of a :class:`ProcedureSource`: a file that holds one procedure.

    ``group`` is the folder under ``knowledge/procedures/`` its record goes to (None: decided from
    the record by :meth:`ProcedureSource.group_of`); ``source_date`` is the date of the data,
    used when the record carries none."""

    path: Path
    group: str | None = None
    source_date: dt.date | None = None


class ProcedureSource(ABC):
    """A data source of procedure records. Subclass it in the importer's module, implement
    :meth:`iter_sources` and :meth:`load`, and add an instance to ``registry.SOURCES``."""

    dataset: str  # the ``source_dataset`` of its records (also the progress label)

    @abstractmethod
    def iter_sources(self, raw_dir: Path) -> list[Source]:
        """Every input of this source, in import order.

        :param raw_dir: the raw data folder (``settings.raw_data_dir``); a source whose folder is
            not there has no inputs
        :returns: one :class:`Source` per file, with its group and date when the file's place tells them
        """

    @abstractmethod
    def load(self, source: Source, today: dt.date) -> Procedure:
        """The record of one input.

        :param source: an item of :meth:`iter_sources`
        :param today: the import date (``imported_at``)
        :returns: the parsed record, ``source_dataset`` set to :attr:`dataset`; values not parsed
            with confidence kept in ``raw`` with a flag
        """

    def group_of(self, source: Source, proc: Procedure) -> str:
        """The folder of ``proc`` under ``knowledge/procedures/``: the source's group. Override it
        when the group is read from the record itself.

        :param source: the input ``proc`` was loaded from
        :param proc: the record
        """
        return source.group or OTHER_GROUP

    def load_dated(self, source: Source, today: dt.date) -> Procedure:
        """:meth:`load`, with the date of the source when the record carries none (what the
        import uses: a shared code goes to the newer record)."""
        proc = self.load(source, today)
        if proc.source_date is None:
            proc.source_date = source.source_date
        return proc


class ListSource(ABC):
    """A list of procedures known by name only (no detail). Subclass it in the importer's module,
    implement :meth:`read`, and add an instance to ``registry.LISTS``."""

    dataset: str  # the ``source_dataset`` of its entries

    @abstractmethod
    def read(self, raw_dir: Path) -> list[KnownProcedure] | None:
        """The entries of this list.

        :param raw_dir: the raw data folder (``settings.raw_data_dir``)
        :returns: the listed procedures, or None when the list's input is not here (the entries
            it gave before stay in ``known_procedures.yaml``)
        """
