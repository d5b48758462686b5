"""JSON lines in, JSON lines out, in the same order, in bounded memory, on one or several processes."""

import json
import multiprocessing
from collections import deque
from collections.abc import Callable, Iterator
from decimal import Decimal
from multiprocessing.pool import AsyncResult
from typing import IO, Any

from certifier.decisions.records import RecordError
from certifier.decisions.registry import RuleSet, from_document
from certifier.decisions.schemes import ENCODER

CHUNK_BYTES = 1 << 20
CHUNKS_IN_FLIGHT_PER_JOB = 2

# Input is read as bytes from a real stdin, as text from an in-memory stream; output follows suit.
Text = bytes | str


def _refuse_constant(name: str) -> Decimal:
    raise ValueError(name)


DECODER = json.JSONDecoder(parse_float=Decimal, parse_constant=_refuse_constant)
UNREADABLE = "ligne illisible : un objet JSON sur une ligne est attendu"


class LineDecider:
    """Decides input lines with a rule set or, when `compare` is given, tells where two rule sets differ."""

    def __init__(self, rules: RuleSet, compare: RuleSet | None = None, trace: bool = False) -> None:
        self.rules = rules
        self.compare = compare
        self.trace = trace

    def decide_chunk(self, chunk: Text) -> tuple[Text, int]:
        """The output of a chunk of whole lines, and the number of lines refused."""
        lines: list[Any] = chunk.split(b"\n") if isinstance(chunk, bytes) else chunk.split("\n")
        if not lines[-1]:
            lines.pop()
        outputs: list[str] = []
        refused = 0
        for line in lines:
            output, decided = self.decide(line)
            refused += not decided
            if output is not None:
                outputs.append(output)
        text = "\n".join(outputs) + "\n" if outputs else ""
        return (text.encode() if isinstance(chunk, bytes) else text), refused

    def decide(self, line: Text) -> tuple[str | None, bool]:
        """The output line (None when comparing and both rule sets agree), and whether it was decided."""
        try:
            record = DECODER.decode(line.decode() if isinstance(line, bytes) else line)
        except ValueError:
            return ENCODER.encode({"candidate": None, "error": UNREADABLE}), False
        try:
            decision = self.rules.decide(record)
            if self.compare is not None:
                difference = self._difference(decision.output, self.compare.decide(record).output)
                return (None if difference is None else ENCODER.encode(difference)), True
        except RecordError as error:
            return ENCODER.encode({"candidate": error.candidate, "error": str(error)}), False
        if self.trace:
            return ENCODER.encode({**decision.output, "trace": decision.trace()}), True
        return self.rules.encode(decision.output), True

    @staticmethod
    def _difference(first: dict[str, Any], second: dict[str, Any]) -> dict[str, Any] | None:
        if first["status"] == second["status"]:
            return None
        return {
            "candidate": first["candidate"],
            "status": first["status"],
            "compare_status": second["status"],
            "rules": first["rules"],
            "compare_rules": second["rules"],
            "explanation": first["explanation"],
            "compare_explanation": second["explanation"],
        }


def run(stream: IO[bytes] | IO[str], decider: LineDecider, jobs: int, write: Callable[[Text], object]) -> int:
    """Decides every line, writes the outputs in input order, returns the number of lines refused."""
    refused = 0
    for text, chunk_refused in _decided_chunks(_chunks(stream), decider, jobs):
        write(text)
        refused += chunk_refused
    return refused


def _chunks(stream: IO[bytes] | IO[str]) -> Iterator[Text]:
    """Chunks of about CHUNK_BYTES made of whole lines, so that memory does not grow with the input."""
    carry: Any = stream.read(0)
    newline = b"\n" if isinstance(carry, bytes) else "\n"
    while block := stream.read(CHUNK_BYTES):
        block = carry + block
        cut = block.rfind(newline) + 1
        if cut:
            yield block[:cut]
        carry = block[cut:]
    if carry:
        yield carry


def _decided_chunks(chunks: Iterator[Text], decider: LineDecider, jobs: int) -> Iterator[tuple[Text, int]]:
    if jobs <= 1:
        yield from map(decider.decide_chunk, chunks)
        return
    documents = (decider.rules.document, decider.compare.document if decider.compare else None, decider.trace)
    with multiprocessing.Pool(jobs, initializer=_start_worker, initargs=documents) as pool:
        in_flight: deque[AsyncResult[tuple[Text, int]]] = deque()
        for chunk in chunks:
            in_flight.append(pool.apply_async(_decide_in_worker, (chunk,)))
            if len(in_flight) >= jobs * CHUNKS_IN_FLIGHT_PER_JOB:
                yield in_flight.popleft().get()
        while in_flight:
            yield in_flight.popleft().get()


_worker_decider: LineDecider | None = None


def _start_worker(rules: dict[str, Any], compare: dict[str, Any] | None, trace: bool) -> None:
    global _worker_decider
    _worker_decider = LineDecider(from_document(rules), from_document(compare) if compare else None, trace)


def _decide_in_worker(chunk: Text) -> tuple[Text, int]:
    assert _worker_decider is not None
    return _worker_decider.decide_chunk(chunk)
