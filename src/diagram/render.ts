import { Graphviz } from '@hpcc-js/wasm-graphviz';

/** Lays out Graphviz source with the `dot` engine (WebAssembly build, no system package) and returns the SVG. */
export async function renderSvg(dot: string): Promise<string> {
  const graphviz = await Graphviz.load();
  return graphviz.dot(dot, 'svg');
}
