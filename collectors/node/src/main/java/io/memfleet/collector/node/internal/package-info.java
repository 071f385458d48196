/** Not API: the scan loop and process lookup behind the node collector. */
package io.memfleet.collector.node.internal;
