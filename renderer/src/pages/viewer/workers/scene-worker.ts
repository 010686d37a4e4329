/// <reference lib="webworker" />
/** The scene parse worker: OBJ + MTL and glTF / GLB through three's loaders (and every other format too). */
import { parseModel } from '../formats/parse-model';
import { serveParser } from './parse-host';

serveParser(() => true, parseModel);
