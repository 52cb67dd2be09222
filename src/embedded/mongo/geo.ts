import { isPlainObject } from './bson-values.js';
import { errors } from './errors.js';

/** The Earth radius MongoDB uses for spherical distances, in metres. */
export const EARTH_RADIUS_METRES = 6_378_100;

export type LngLat = readonly [number, number];

const GEOJSON_TYPES = new Set(['Point', 'LineString', 'Polygon', 'MultiPoint', 'MultiLineString', 'MultiPolygon', 'GeometryCollection']);

function isCoordinatePair(value: unknown): value is [number, number] {
  return Array.isArray(value) && value.length >= 2 && typeof value[0] === 'number' && typeof value[1] === 'number';
}

/**
 * The `[longitude, latitude]` of a stored location: a GeoJSON Point, a legacy
 * coordinate pair or a `{ lng, lat }`-style document. With `validateOnly`, any GeoJSON
 * geometry counts as a valid location (what a 2dsphere index accepts).
 */
export function geoPointOf(value: unknown, validateOnly = false): LngLat | undefined {
  if (isCoordinatePair(value)) return [value[0], value[1]];
  if (!isPlainObject(value)) return undefined;
  if (value['type'] === 'Point' && isCoordinatePair(value['coordinates'])) {
    const [lng, lat] = value['coordinates'];
    if (lng < -180 || lng > 180 || lat < -90 || lat > 90) return undefined;
    return [lng, lat];
  }
  if (validateOnly && typeof value['type'] === 'string' && GEOJSON_TYPES.has(value['type'])) return [0, 0];
  const numbers = Object.values(value).filter((v): v is number => typeof v === 'number');
  if (!('type' in value) && numbers.length >= 2) return [numbers[0]!, numbers[1]!];
  return undefined;
}

function toRadians(degrees: number): number {
  return (degrees * Math.PI) / 180;
}

/** Great-circle distance in radians (haversine). */
export function sphericalDistanceRadians(a: LngLat, b: LngLat): number {
  const dLat = toRadians(b[1] - a[1]);
  const dLng = toRadians(b[0] - a[0]);
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(toRadians(a[1])) * Math.cos(toRadians(b[1])) * Math.sin(dLng / 2) ** 2;
  return 2 * Math.asin(Math.min(1, Math.sqrt(h)));
}

/** Great-circle distance in metres on MongoDB's Earth radius. */
export function sphericalDistanceMetres(a: LngLat, b: LngLat): number {
  return sphericalDistanceRadians(a, b) * EARTH_RADIUS_METRES;
}

function planarDistance(a: LngLat, b: LngLat): number {
  return Math.hypot(a[0] - b[0], a[1] - b[1]);
}

/** Even-odd ray casting on one ring of `[lng, lat]` pairs. */
function insideRing(point: LngLat, ring: readonly unknown[]): boolean {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const pi = ring[i];
    const pj = ring[j];
    if (!isCoordinatePair(pi) || !isCoordinatePair(pj)) continue;
    const crosses = pi[1] > point[1] !== pj[1] > point[1] && point[0] < ((pj[0] - pi[0]) * (point[1] - pi[1])) / (pj[1] - pi[1]) + pi[0];
    if (crosses) inside = !inside;
  }
  return inside;
}

function insidePolygon(point: LngLat, rings: readonly unknown[]): boolean {
  const [outer, ...holes] = rings;
  if (!Array.isArray(outer) || !insideRing(point, outer)) return false;
  return !holes.some((hole) => Array.isArray(hole) && insideRing(point, hole));
}

/** A compiled `$geoWithin` / `$geoIntersects` region test. */
export type RegionTest = (point: LngLat) => boolean;

/** Compiles the operand of `$geoWithin` (`$centerSphere`, `$geometry`, `$box`, `$center`, `$polygon`). */
export function compileRegion(spec: unknown): RegionTest {
  if (!isPlainObject(spec)) throw errors.badValue('$geoWithin requires a shape');
  const centerSphere = spec['$centerSphere'];
  if (centerSphere !== undefined) {
    if (!Array.isArray(centerSphere) || typeof centerSphere[1] !== 'number') throw errors.badValue('malformed $centerSphere');
    const center = geoPointOf(centerSphere[0]);
    if (!center) throw errors.badValue('malformed $centerSphere center');
    const radius = centerSphere[1];
    return (p) => sphericalDistanceRadians(center, p) <= radius;
  }
  const center = spec['$center'];
  if (center !== undefined) {
    if (!Array.isArray(center) || typeof center[1] !== 'number') throw errors.badValue('malformed $center');
    const c = geoPointOf(center[0]);
    if (!c) throw errors.badValue('malformed $center');
    const r = center[1];
    return (p) => planarDistance(c, p) <= r;
  }
  const box = spec['$box'];
  if (box !== undefined) {
    if (!Array.isArray(box) || !isCoordinatePair(box[0]) || !isCoordinatePair(box[1])) throw errors.badValue('malformed $box');
    const [[x1, y1], [x2, y2]] = [box[0], box[1]];
    return (p) => p[0] >= Math.min(x1, x2) && p[0] <= Math.max(x1, x2) && p[1] >= Math.min(y1, y2) && p[1] <= Math.max(y1, y2);
  }
  const polygon = spec['$polygon'];
  if (polygon !== undefined) {
    if (!Array.isArray(polygon)) throw errors.badValue('malformed $polygon');
    return (p) => insideRing(p, polygon);
  }
  const geometry = spec['$geometry'];
  if (isPlainObject(geometry)) {
    const coordinates = geometry['coordinates'];
    if (!Array.isArray(coordinates)) throw errors.badValue('malformed $geometry');
    if (geometry['type'] === 'Polygon') return (p) => insidePolygon(p, coordinates);
    if (geometry['type'] === 'MultiPolygon') {
      return (p) => coordinates.some((poly) => Array.isArray(poly) && insidePolygon(p, poly));
    }
    if (geometry['type'] === 'Point') {
      const target = geoPointOf(geometry);
      return (p) => !!target && p[0] === target[0] && p[1] === target[1];
    }
  }
  throw errors.badValue(`unsupported $geoWithin shape: ${Object.keys(spec).join(', ')}`);
}

/** A parsed `$near` / `$nearSphere` / `$geoNear` origin with its distance function. */
export interface NearQuery {
  readonly origin: LngLat;
  readonly minDistance?: number;
  readonly maxDistance?: number;
  /** Distance from the origin to a stored location, in the query's units. */
  readonly distance: (point: LngLat) => number;
  /** metres for GeoJSON origins, radians for legacy spherical, plane units otherwise. */
  readonly units: 'metres' | 'radians' | 'plane';
}

/**
 * Parses a `$near` / `$nearSphere` operand. A GeoJSON origin measures in metres
 * (spherical); a legacy pair measures in radians for `$nearSphere`, plane units for `$near`.
 */
export function parseNear(operand: unknown, siblings: Record<string, unknown>, spherical: boolean): NearQuery {
  let origin: LngLat | undefined;
  let minDistance = siblings['$minDistance'];
  let maxDistance = siblings['$maxDistance'];
  let units: NearQuery['units'];
  if (isPlainObject(operand) && '$geometry' in operand) {
    origin = geoPointOf(operand['$geometry']);
    minDistance = operand['$minDistance'] ?? minDistance;
    maxDistance = operand['$maxDistance'] ?? maxDistance;
    units = 'metres';
  } else if (isPlainObject(operand) && operand['type'] === 'Point') {
    origin = geoPointOf(operand);
    units = 'metres';
  } else {
    origin = geoPointOf(operand);
    units = spherical ? 'radians' : 'plane';
  }
  if (!origin) throw errors.badValue('invalid point in geo near query $geometry argument');
  return makeNear(origin, units, numberOrUndefined(minDistance), numberOrUndefined(maxDistance));
}

function numberOrUndefined(value: unknown): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || value < 0) throw errors.badValue('$minDistance/$maxDistance must be a non-negative number');
  return value;
}

/** Builds a NearQuery for an origin in given units. */
export function makeNear(origin: LngLat, units: NearQuery['units'], minDistance?: number, maxDistance?: number): NearQuery {
  const origin2 = origin;
  const distance =
    units === 'metres'
      ? (p: LngLat) => sphericalDistanceMetres(origin2, p)
      : units === 'radians'
        ? (p: LngLat) => sphericalDistanceRadians(origin2, p)
        : (p: LngLat) => planarDistance(origin2, p);
  return {
    origin,
    units,
    distance,
    ...(minDistance !== undefined ? { minDistance } : {}),
    ...(maxDistance !== undefined ? { maxDistance } : {}),
  };
}

/** Whether `distance` lies within a near query's min/max. */
export function withinNearBounds(near: NearQuery, distance: number): boolean {
  if (near.maxDistance !== undefined && distance > near.maxDistance) return false;
  if (near.minDistance !== undefined && distance < near.minDistance) return false;
  return true;
}
