import { toDot } from './dot';
import { buildModel } from './model';
import { renderSvg } from './render';
import { Json } from './terraform';

export { buildModel } from './model';
export type { ArchitectureModel, DiagramEdge, DiagramNode, DiagramRegion, EdgeKind } from './model';
export { toDot } from './dot';
export { renderSvg } from './render';
export { synthesizeDefaultStack } from './synth';

/** Where `npm run diagram` writes the picture, relative to the repository root. */
export const ARCHITECTURE_SVG = 'docs/architecture.svg';

/** The architecture picture of a synthesized stack (the parsed cdk.tf.json), as SVG. */
export async function architectureSvg(stackJson: Json): Promise<string> {
  return renderSvg(toDot(buildModel(stackJson)));
}
