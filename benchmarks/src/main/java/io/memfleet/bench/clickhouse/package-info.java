/**
 * The ClickHouse benchmark: insert rows/s through the pipeline's {@code ClickHouseSink} against a
 * bare client-v2 insert of the same rows, and the planner queries' latency over a generated
 * history. Entry point {@link io.memfleet.bench.clickhouse.ClickHouseBenchmark}; everything else
 * is package-private. Single-threaded except the baseline's insert threads, which share one
 * thread-safe {@code ClickHouseConnection} and each build their own generator.
 */
package io.memfleet.bench.clickhouse;
