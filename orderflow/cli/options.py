"""Option bundles: a frozen dataclass of typer options that several commands share.

typer has no way to reuse a set of options (fastapi/typer#153), and click's answer is a stack
of decorators. Here a command takes the bundle as ONE parameter annotated with the dataclass;
:func:`bundled` shows typer the dataclass's fields (each ``Annotated`` with its
``typer.Option``) as the command's options and hands the command the assembled dataclass.
"""

from __future__ import annotations

import dataclasses
import functools
import inspect
import typing
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

KEYWORD_ONLY = inspect.Parameter.KEYWORD_ONLY
P = ParamSpec("P")
R = TypeVar("R")


def bundled(command: Callable[P, R]) -> Callable[P, R]:
    """Expand every dataclass-typed parameter of ``command`` into its fields as options.

    The command's parameters are keyword-only (``def command(*, ...)``), so the fields can go
    anywhere among them.
    """
    signature = inspect.signature(command, eval_str=True)
    parameters: list[inspect.Parameter] = []
    bundles: dict[str, tuple[type[Any], list[str]]] = {}
    for parameter in signature.parameters.values():
        bundle = parameter.annotation
        if not (isinstance(bundle, type) and dataclasses.is_dataclass(bundle)):
            parameters.append(parameter)
            continue
        hints = typing.get_type_hints(bundle, include_extras=True)
        fields = dataclasses.fields(bundle)
        bundles[parameter.name] = (bundle, [f.name for f in fields])
        parameters += [
            inspect.Parameter(f.name, KEYWORD_ONLY, default=_default(f), annotation=hints[f.name])
            for f in fields
        ]

    @functools.wraps(command)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        for name, (bundle, fields) in bundles.items():
            kwargs[name] = bundle(**{field: kwargs.pop(field) for field in fields})
        return command(*args, **kwargs)

    run.__signature__ = signature.replace(parameters=parameters)  # type: ignore[attr-defined]
    return run


def _default(field: dataclasses.Field[Any]) -> Any:
    return inspect.Parameter.empty if field.default is dataclasses.MISSING else field.default
