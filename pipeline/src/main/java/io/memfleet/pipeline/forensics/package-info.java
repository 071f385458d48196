/**
 * OOM forensics: {@link io.memfleet.pipeline.forensics.ForensicsExtension} keeps, per process, a
 * rolling buffer of every source's events ({@link io.memfleet.pipeline.forensics
 * .OomForensicsFunction}) and publishes an {@code OomSnapshot} — the victim's last 5 seconds,
 * ordered on the UTC timeline — for every {@code OomKill}. Settings:
 * {@link io.memfleet.pipeline.forensics.ForensicsOptions}.
 */
package io.memfleet.pipeline.forensics;
