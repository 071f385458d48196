/**
 * The planners' questions ({@code sql/queries/*.sql}) and how memfleet runs them safely.
 *
 * <ul>
 *   <li>{@link io.memfleet.sql.query.QueryCatalog} loads and checks the bundled query files;
 *       {@link io.memfleet.sql.query.PlannerQuery} is one parsed file.</li>
 *   <li>{@link io.memfleet.sql.query.QueryParameters} binds {@code --param name=value} to the
 *       {@code {name:Type}} placeholders as validated, typed literals (ClickHouse 18.16 has no
 *       server-side parameters); {@link io.memfleet.sql.query.QueryRunner} runs a query and
 *       returns a {@link io.memfleet.sql.query.ResultTable}.</li>
 *   <li>{@link io.memfleet.sql.query.QueryCommand} is {@code memfleet query}.</li>
 *   <li>{@link io.memfleet.sql.query.grafana.GrafanaMacros} expands the Grafana dashboards' SQL
 *       for tests.</li>
 * </ul>
 *
 * <p>Threading: catalogs, queries, templates and macro expanders are immutable and may be shared;
 * a {@code QueryRunner} is as thread-safe as its {@code ClickHouseConnection} (it is).
 */
package io.memfleet.sql.query;
