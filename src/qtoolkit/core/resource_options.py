"""Keyword arguments accepted by the :class:`~qtoolkit.core.data_objects.QResources` factories."""

from __future__ import annotations

from typing import Any, TypedDict

from qtoolkit.core.filepath import FilePath

__all__ = ["ResourceOptions"]


class ResourceOptions(TypedDict, total=False):
    """Every QResources field a factory takes as a keyword.

    The placement fields (``nodes``, ``processes``, ``processes_per_node`` and
    ``process_placement``) are left out: each factory fixes them, so a type checker reports a
    caller who passes one, and the factory rejects it at run time too.
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
