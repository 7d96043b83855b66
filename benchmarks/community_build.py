"""Benchmark of the community builder's ingest: DuckDB against a plain-Python ``json`` reader.

Generates (in a temporary folder, not committed) a Pushshift-format dump of Reddit-like
submissions and comments as plain NDJSON, then runs in the same invocation, each in its own
subprocess so that its peak resident memory can be read on its own (``os.wait4``):

1. **pluralign**: ``pluralign.data.builder.ingest`` stage by stage — read (lines into DuckDB,
   validated there), clean (the rules with counts), govern (author hashes and scrubbing),
   group and select (queries with enough usable top-level replies);
2. **baseline**: a plain-Python line reader (``json.loads`` per line) applying the same
   cleaning rules and grouping with dicts and sets, without governance.

After its select stage the pluralign child also times the construct stages on a sample of
queries (``--construct-queries``): candidate pools, VADER, sentence embeddings (model load
apart) and the profile inputs; these and their memory are reported apart from the ingest.

Both must find the same number of queries and replies; the script says so. Usage::

    .venv/bin/python benchmarks/community_build.py               # 1 M comments, 50 k posts
    .venv/bin/python benchmarks/community_build.py --comments 100000 --submissions 5000
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

BOTS = ("AutoModerator", "RemindMeBot", "WikiSummarizerBot")
WORDS_TEXT = (
    "the a of to and in is it you that for on with this was are be have not but they at "
    "what so if about just like can would my your there all out one how when more people "
    "think good know time make really some could other well also been than then much "
    "recipe rice pan heat water salt oil knife oven dough bread sauce garlic onion butter "
    "paper thesis advisor grant review journal course student professor lab data method "
    "code bug server build test release version python rust compiler memory thread cache "
    "game team season player coach trade score league fan match goal win loss draft"
)
WORDS = tuple(WORDS_TEXT.split())


def _text(rng: random.Random, low: int, high: int) -> str:
    words = rng.choices(WORDS, k=rng.randint(low, high))
    if rng.random() < 0.02:
        words.insert(rng.randrange(len(words) + 1), rng.choice(_PERSONAL)(rng))
    return " ".join(words).capitalize() + "."


_PERSONAL: tuple[Callable[[random.Random], str], ...] = (
    lambda rng: f"mail{rng.randrange(10**6)}@example.org",
    lambda rng: f"(212) 555-{rng.randrange(2000, 9999)}",
    lambda rng: f"u/user_{rng.randrange(10**6)}",
    lambda rng: f"https://www.reddit.com/user/user_{rng.randrange(10**6)}",
)


def _submission(rng: random.Random, index: int, community: str) -> dict[str, Any]:
    return {
        "id": f"s{index:x}",
        "subreddit": community,
        "subreddit_id": f"t5_{abs(hash(community)) % 10**6:x}",
        "author": f"user_{rng.randrange(200_000)}",
        "title": _text(rng, 4, 14).rstrip(".") + "?",
        "selftext": _text(rng, 0, 80) if rng.random() < 0.7 else "",
        "score": rng.randrange(-5, 2000),
        "num_comments": rng.randrange(0, 60),
        "created_utc": 1_600_000_000 + index * 37,
        "retrieved_on": 1_700_000_000,
        "permalink": f"/r/{community}/comments/s{index:x}/",
        "url": f"https://www.reddit.com/r/{community}/comments/s{index:x}/",
        "over_18": False,
        "stickied": False,
        "distinguished": None,
    }


def _comment(rng: random.Random, index: int, post: int, community: str) -> dict[str, Any]:
    roll = rng.random()
    author = f"user_{rng.randrange(200_000)}"
    if roll < 0.03:
        author = rng.choice(BOTS)
    body = _text(rng, 1, 60)
    if 0.03 <= roll < 0.08:
        body = rng.choice(("[deleted]", "[removed]"))
    elif 0.08 <= roll < 0.10:
        body = "Same here, thanks for sharing this with all of us."
    link = f"t3_s{post:x}"
    parent = link if rng.random() < 0.6 else f"t1_c{rng.randrange(max(index, 1)):x}"
    return {
        "id": f"c{index:x}",
        "subreddit": community,
        "subreddit_id": f"t5_{abs(hash(community)) % 10**6:x}",
        "author": author,
        "author_flair_text": None,
        "body": body,
        "score": rng.randrange(-20, 500),
        "controversiality": 0,
        "created_utc": 1_600_000_000 + post * 37 + rng.randrange(1, 86_400),
        "retrieved_on": 1_700_000_000,
        "link_id": link,
        "parent_id": parent,
        "permalink": f"/r/{community}/comments/s{post:x}/_/c{index:x}/",
        "gilded": 0,
        "stickied": False,
        "distinguished": None,
    }


def generate(
    folder: Path, comments: int, submissions: int, communities: int, seed: int
) -> list[Path]:
    """Write ``submissions.ndjson`` and ``comments.ndjson`` (about 0.1 % bad lines)."""
    rng = random.Random(seed)
    names = [f"community_{index:03d}" for index in range(communities)]
    post_community = [rng.choice(names) for _ in range(submissions)]
    files = [folder / "submissions.ndjson", folder / "comments.ndjson"]
    with files[0].open("w", encoding="utf-8") as out:
        for index, community in enumerate(post_community):
            out.write(json.dumps(_submission(rng, index, community)) + "\n")
    with files[1].open("w", encoding="utf-8") as out:
        for index in range(comments):
            if rng.random() < 0.001:
                out.write('{"id": "broken", "body": \n')
                continue
            post = rng.randrange(submissions)
            out.write(json.dumps(_comment(rng, index, post, post_community[post])) + "\n")
    return files


def python_size(path: Path, sample: int = 20_000) -> tuple[int, float]:
    """(lines, bytes) the whole file would take as ``json.loads`` objects, from a sample."""
    lines = 0
    with path.open("rb") as handle:
        for _ in handle:
            lines += 1
    tracemalloc.start()
    kept = []
    with path.open("rb") as handle:
        for index, raw in enumerate(handle):
            if index == sample:
                break
            try:
                kept.append(json.loads(raw))
            except ValueError:
                continue
    used, _ = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return lines, used / max(len(kept), 1) * lines


# --- the two contenders, each run in a child process --------------------------------------


class Stopwatch:
    """Wall and CPU seconds (all threads of this process) per named stage."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self.cpu_seconds: dict[str, float] = {}
        self._started = (0.0, 0.0)

    def start(self) -> None:
        """Start timing the next stage."""
        self._started = (time.perf_counter(), time.process_time())

    def stop(self, stage: str) -> None:
        """Record the stage started last."""
        wall, cpu = self._started
        self.seconds[stage] = time.perf_counter() - wall
        self.cpu_seconds[stage] = time.process_time() - cpu


def compare_scrub_paths(con: Any, table: str) -> dict[str, float]:
    """Seconds to scrub ``table``'s texts (a copy) in batches, and as an Arrow Python UDF.

    Both read only the texts the SQL pre-filter flags; the UDF returns the text and the
    number of replacements as a struct, as the batches' counts need.
    """
    import pyarrow as pa  # type: ignore[import-untyped]

    from pluralign.data.builder import governance

    scrubber = governance.Scrubber()

    def udf(texts: Any) -> Any:
        scrubbed, found = [], []
        for text in texts.to_pylist():
            counts: Counter[str] = Counter()
            scrubbed.append(scrubber.scrub(text, counts))
            found.append(sum(counts.values()))
        return pa.StructArray.from_arrays(
            [pa.array(scrubbed, pa.string()), pa.array(found, pa.int64())], names=["text", "n"]
        )

    con.create_function(
        "_bench_scrub", udf, ["VARCHAR"], "STRUCT(text VARCHAR, n BIGINT)", type="arrow"
    )
    flagged = f"regexp_matches(text, '{governance.SQL_CANDIDATE_PATTERN}')"
    con.execute(f"CREATE OR REPLACE TABLE _bench_copy AS SELECT * FROM {table}")
    start = time.perf_counter()
    con.execute(
        "CREATE OR REPLACE TABLE _bench_udf AS SELECT reply_id, _bench_scrub(text) AS s "
        f"FROM _bench_copy WHERE {flagged}"
    )
    con.execute(
        "UPDATE _bench_copy SET text = u.s.text FROM _bench_udf u "
        "WHERE _bench_copy.reply_id = u.reply_id"
    )
    udf_seconds = time.perf_counter() - start
    con.execute(f"CREATE OR REPLACE TABLE _bench_copy AS SELECT * FROM {table}")
    con.execute(f"ALTER TABLE {table} RENAME TO _bench_original")
    con.execute(f"ALTER TABLE _bench_copy RENAME TO {table}")
    start = time.perf_counter()
    counts: Counter[str] = Counter()
    governance.scrub_table(con, table, scrubber, counts)
    batch_seconds = time.perf_counter() - start
    con.execute(f"DROP TABLE {table}")
    con.execute(f"ALTER TABLE _bench_original RENAME TO {table}")
    for name in ("_bench_udf", "_ingest_scrubbed"):
        con.execute(f"DROP TABLE IF EXISTS {name}")
    return {"batches": batch_seconds, "arrow_udf": udf_seconds}


def run_pluralign(
    files: list[Path],
    work: Path,
    memory_limit: str,
    threads: int | None,
    construct_queries: int = 0,
) -> dict[str, Any]:
    """Ingest stage by stage on a fresh DuckDB connection; seconds per stage and the counts.

    With ``construct_queries``, the construct stages are timed afterwards on that many
    queries (``construct_timings``); their memory counts in the child's peak RSS.
    """
    import duckdb

    from pluralign.data.builder import cleaning, dumps, governance, ingest

    settings = ingest.IngestSettings(
        inputs=tuple(files),
        format="pushshift",
        salt="benchmark",
        memory_limit=memory_limit,
        temp_dir=work / "duckdb-tmp",
        threads=threads,
    )
    con = duckdb.connect()
    ingest.configure(con, settings)
    watch = Stopwatch()
    watch.start()
    read = dumps.read_dumps(con, settings.inputs, settings.format)
    watch.stop("read")
    watch.start()
    removed = cleaning.apply_rules(con, cleaning.CleaningRules())
    watch.stop("clean")
    watch.start()
    ingest.create_tables(con, settings.salt)
    scrubbed = governance.scrub_tables(con, governance.Scrubber())
    watch.stop("govern")
    watch.start()
    ingest.select_queries(con, settings.min_replies)
    watch.stop("group_select")
    counts = con.execute(
        "SELECT (SELECT count(*) FROM queries), (SELECT count(*) FROM replies), "
        "(SELECT count(*) FROM posts)"
    ).fetchall()[0]
    usage = resource.getrusage(resource.RUSAGE_SELF)
    ingest_rss_mib = usage.ru_maxrss / 1024  # Linux reports KiB
    if construct_queries:
        timings = construct_timings(con, construct_queries)
        (work / CONSTRUCT_FILE).write_text(json.dumps(timings))
    return {
        "seconds": watch.seconds,
        "cpu_seconds_by_stage": watch.cpu_seconds,
        "threads": con.execute("SELECT current_setting('threads')").fetchall()[0][0],
        "lines_read": read.lines_read,
        "bad_lines": read.bad_lines,
        "removed": dict(removed),
        "scrubbed": scrubbed,
        "queries": counts[0],
        "replies": counts[1],
        "posts": counts[2],
        "peak_rss_ingest_mib": ingest_rss_mib,
        "cpu_seconds_ingest": usage.ru_utime + usage.ru_stime,
    }


def run_scrub_comparison(files: list[Path], work: Path, memory_limit: str) -> dict[str, Any]:
    """Build the unscrubbed ``replies`` table, then time the two ways of scrubbing it."""
    import duckdb

    from pluralign.data.builder import cleaning, dumps, ingest

    settings = ingest.IngestSettings(
        inputs=tuple(files),
        format="pushshift",
        salt="benchmark",
        memory_limit=memory_limit,
        temp_dir=work / "duckdb-tmp",
    )
    con = duckdb.connect()
    ingest.configure(con, settings)
    dumps.read_dumps(con, settings.inputs, settings.format)
    cleaning.apply_rules(con, cleaning.CleaningRules())
    ingest.create_tables(con, settings.salt)
    return compare_scrub_paths(con, "replies")


def _baseline_lines(files: list[Path], bad: Counter[str]) -> Iterator[dict[str, Any]]:
    """Every JSON object line; ``bad["lines"]`` counts the lines that are not one."""
    for path in files:
        with path.open("rb") as handle:
            for raw in handle:
                if not raw.strip():
                    continue
                try:
                    record = json.loads(raw)
                except ValueError:
                    bad["lines"] += 1
                    continue
                if isinstance(record, dict):
                    yield record
                else:
                    bad["lines"] += 1


def _is_bot(author: Any) -> bool:
    name = str(author or "").lower()
    return name == "automoderator" or name.endswith("bot")


def _words(text: str) -> int:
    return len(text.split())


def _norm(text: str) -> str:
    return " ".join(text.split()).lower()


def run_baseline(files: list[Path]) -> dict[str, Any]:
    """The same cleaning, grouping and selection with ``json.loads``, dicts and sets."""
    start = time.perf_counter()
    posts: dict[str, tuple[str, int]] = {}
    post_texts: dict[tuple[str, str], tuple[int, str]] = {}
    replies: dict[tuple[str, str], tuple[int, str, str]] = {}
    seen: set[str] = set()
    bad: Counter[str] = Counter()
    for record in _baseline_lines(files, bad):
        if "title" in record:
            pid, title, text = record["id"], record["title"], record.get("selftext") or ""
            both = f"{title} {text}"
            if pid in seen or title.strip() in ("[deleted]", "[removed]"):
                continue
            seen.add(pid)
            if text.strip() in ("[deleted]", "[removed]") or _is_bot(record.get("author")):
                continue
            if _words(both) < 5:
                continue
            key = (record["subreddit"], _norm(both))
            earlier = post_texts.get(key)
            if earlier is None or earlier[0] > record["created_utc"]:
                post_texts[key] = (record["created_utc"], pid)
        elif "body" in record:
            body = record["body"]
            if record["id"] in seen or body.strip() in ("[deleted]", "[removed]", ""):
                continue
            seen.add(record["id"])
            if _is_bot(record.get("author")) or record["parent_id"] != record["link_id"]:
                continue
            if _words(body) < 5:
                continue
            key = (record["subreddit"], _norm(body))
            earlier_reply = replies.get(key)
            if earlier_reply is None or earlier_reply[0] > record["created_utc"]:
                replies[key] = (record["created_utc"], record["id"], record["link_id"][3:])
    for _, pid in post_texts.values():
        posts[pid] = (pid, 0)
    per_post: Counter[str] = Counter(pid for _, _, pid in replies.values() if pid in posts)
    queries = {pid: n for pid, n in per_post.items() if n >= 5}
    return {
        "seconds": {"total": time.perf_counter() - start},
        "queries": len(queries),
        "replies": sum(per_post.values()),
        "posts": len(posts),
        "bad_lines": bad["lines"],
    }


# --- the parent: generate, run both children, report --------------------------------------


def _child(
    mode: str,
    files: list[Path],
    work: Path,
    memory_limit: str,
    threads: int | None = None,
    construct_queries: int = 0,
) -> dict[str, Any]:
    command = [
        sys.executable,
        __file__,
        "--child",
        mode,
        "--work",
        str(work),
        "--memory-limit",
        memory_limit,
        *([f"--threads={threads}"] if threads else []),
        f"--construct-queries={construct_queries}",
        *[f"--file={path}" for path in files],
    ]
    out_path = work / f"{mode}.json"
    with out_path.open("w") as out:
        process = subprocess.Popen(command, stdout=out)
        _, status, usage = os.wait4(process.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{mode} child failed with status {status}")
    result: dict[str, Any] = json.loads(out_path.read_text())
    result["peak_rss_mib"] = usage.ru_maxrss / 1024  # Linux reports KiB
    result["cpu_seconds"] = usage.ru_utime + usage.ru_stime
    return result


CONSTRUCT_FILE = "construct.json"
"""Where the pluralign child leaves the construct stages' timings for the parent."""


def construct_timings(con: Any, query_limit: int) -> dict[str, Any]:
    """Time the construct stages on the first ``query_limit`` queries (by post id).

    Candidate pools (score ranks), VADER polarity and sentence embeddings of the pool texts
    only (the embedding model's load timed apart), and the profile inputs (the seeded sample
    and the prompt) of those queries' communities; the profile model's calls are not timed.
    """
    from pluralign.data.builder import candidates, profiles

    watch = Stopwatch()
    watch.start()
    rows = con.execute(
        "SELECT r.post_id, r.reply_id, r.text, r.score, q.community FROM replies r "
        "JOIN (SELECT post_id, community FROM queries ORDER BY post_id LIMIT ?) q "
        "USING (post_id)",
        [query_limit],
    ).fetchall()
    grouped: dict[str, list[Any]] = {}
    for post_id, reply_id, text, score, _ in rows:
        grouped.setdefault(post_id, []).append(candidates.Reply(reply_id, text, score))
    pools = [candidates.candidate_pool(replies) for _, replies in sorted(grouped.items())]
    texts = [reply.text for pool in pools for reply in pool]
    watch.stop("pools")
    watch.start()
    for text in texts:
        candidates.polarity(text)
    watch.stop("vader")
    measure = candidates.content_distance()
    watch.start()
    measure.matrices([["load the model"]])
    watch.stop("embedding_model_load")
    watch.start()
    measure.matrices([[reply.text for reply in pool] for pool in pools])
    watch.stop("embeddings")
    communities = sorted({row[4] for row in rows})
    size = profiles.DEFAULT_SAMPLE_SIZE
    watch.start()
    for community in communities:
        profiles.profile_messages(profiles.sample_community(con, community, size, 0))
    watch.stop("profile_inputs")
    return {
        "queries": len(pools),
        "pool_texts": len(texts),
        "communities": len(communities),
        "content_distance": measure.description,
        "seconds": watch.seconds,
        "cpu_seconds": watch.cpu_seconds,
    }


def extra_timings(work: Path) -> dict[str, Any]:
    """The construct stages' timings (embeddings, VADER, profile inputs), timed separately.

    The pluralign child measures them on its tables after the select stage (outside the
    read-to-select rate) and leaves them in ``CONSTRUCT_FILE``; empty when it did not.
    """
    path = work / CONSTRUCT_FILE
    return dict(json.loads(path.read_text())) if path.exists() else {}


def main() -> None:
    """Parse options; as the parent generate and compare, as a child run one contender."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--comments", type=int, default=1_000_000)
    parser.add_argument("--submissions", type=int, default=50_000)
    parser.add_argument("--communities", type=int, default=200)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--memory-limit", default="512MB")
    parser.add_argument("--work", type=Path, default=None)
    parser.add_argument("--threads", type=int, default=None, help="DuckDB threads (default: all)")
    parser.add_argument("--scrub-comparison", action="store_true")
    parser.add_argument(
        "--construct-queries",
        type=int,
        default=50,
        help="queries the construct stages are timed on (0: not timed)",
    )
    parser.add_argument("--child", choices=("pluralign", "baseline", "scrub"), default=None)
    parser.add_argument("--file", type=Path, action="append", default=[])
    args = parser.parse_args()
    if args.child == "pluralign":
        result = run_pluralign(
            args.file, args.work, args.memory_limit, args.threads, args.construct_queries
        )
        print(json.dumps(result))
        return
    if args.child == "scrub":
        print(json.dumps(run_scrub_comparison(args.file, args.work, args.memory_limit)))
        return
    if args.child == "baseline":
        print(json.dumps(run_baseline(args.file)))
        return
    with tempfile.TemporaryDirectory(prefix="community-build-", dir=args.work) as temp:
        work = Path(temp)
        start = time.perf_counter()
        files = generate(work, args.comments, args.submissions, args.communities, args.seed)
        generated = time.perf_counter() - start
        disk = sum(path.stat().st_size for path in files)
        sizes = [python_size(path) for path in files]
        load_before = os.getloadavg()[0]
        ours = _child(
            "pluralign", files, work, args.memory_limit, args.threads, args.construct_queries
        )
        baseline = _child("baseline", files, work, args.memory_limit)
        load_after = os.getloadavg()[0]
        report = {
            "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, {platform.platform()}",
            "load_average": [load_before, load_after],
            "comments": args.comments,
            "submissions": args.submissions,
            "communities": args.communities,
            "generate_seconds": generated,
            "dump_bytes_on_disk": disk,
            "dump_bytes_as_python_objects": sum(size for _, size in sizes),
            "lines": sum(lines for lines, _ in sizes),
            "pluralign": ours,
            "baseline": baseline,
            "extra": extra_timings(work),
        }
        if args.scrub_comparison:
            report["scrub_seconds"] = _child("scrub", files, work, args.memory_limit)
        ours_read_to_select = sum(ours["seconds"].values()) - ours["seconds"]["govern"]
        report["rates_comments_per_second"] = {
            "pluralign_read_clean_group_select": args.comments / ours_read_to_select,
            "pluralign_with_govern": args.comments / sum(ours["seconds"].values()),
            "baseline": args.comments / baseline["seconds"]["total"],
        }
        report["cpu_ratio_baseline_over_pluralign"] = (
            baseline["cpu_seconds"] / ours["cpu_seconds_ingest"]
        )
        read_to_select_cpu = sum(
            seconds for stage, seconds in ours["cpu_seconds_by_stage"].items() if stage != "govern"
        )
        report["cpu_ratio_baseline_over_read_clean_group_select"] = (
            baseline["cpu_seconds"] / read_to_select_cpu
        )
        report["same_result"] = all(
            ours[k] == baseline[k] for k in ("queries", "replies", "posts", "bad_lines")
        )
        print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
