"""Keyword arguments accepted by the :class:`~qtoolkit.core.data_objects.QResources` factories."""

from __future__ import annotations

from typing import Any, TypedDict

from qtoolkit.core.filepath import FilePath

__all__ = ["ResourceOptions"]


class ResourceOptions(TypedDict, total=False):
    """Every QResources field a factory takes as a keyword.

    The placement fields (``nodes``, ``processes``, ``processes_per_node`` and
    ``process_placement``) are left out: each factory fixes them, so a type checker reports a
    caller who passes one. At run time a factory rejects a count it fixes and a
    ``process_placement`` other than its own (upstream accepted both and overwrote them).
    """

    queue_name: str | None
    job_name: str | None
    memory_per_thread: int | None
    threads_per_process: int | None
    gpus_per_job: int | None
    time_limit: int | None
    account: str | None
    qos: str | None
    priority: int | str | None
    output_filepath: FilePath | None
    error_filepath: FilePath | None
    email_address: str | None
    rerunnable: bool | None
    project: str | None
    njobs: int | None
    scheduler_kwargs: dict[str, Any] | None
