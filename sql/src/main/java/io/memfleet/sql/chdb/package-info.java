/**
 * ClickHouse 26.x embedded through chDB ({@link io.memfleet.sql.chdb.ChDbSession}), the engine of
 * the sql module's 26.x test stage: migrations, planner queries and dashboards run on it exactly
 * as on a server. Install it once per machine with {@code sql/chdb/install.sh}; where it lives and
 * how it runs is {@link io.memfleet.sql.chdb.ChDbOptions}.
 *
 * <p>Threading: a session serializes its calls; {@code internal} is not API.
 */
package io.memfleet.sql.chdb;
