/** Builds and runs {@code memfleet-demo}, the leaking Go program shipped in this module. */
package io.memfleet.collector.node.demo;
