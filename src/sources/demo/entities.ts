/**
 * The people, places, videos and apps that demo records refer to. A user's profile and pools derive from
 * seeds only, so every group of a user agrees on the same home city, name and channel.
 */
import { Rng, makePool, mix32, TIMELINE_START_MS, type Pool } from './timeline.js';
import {
  BASE64URL,
  BUSINESS_KINDS,
  BUSINESS_NAMES,
  CHANNEL_ADJECTIVES,
  CHANNEL_NOUNS,
  CITIES,
  FIRST_NAMES,
  HEX,
  LAST_NAMES,
  QUERY_QUALIFIERS,
  QUERY_SUBJECTS,
  VIDEO_TEMPLATES,
  VIDEO_TOPICS,
  type City,
} from './vocab.js';

export interface UserProfile {
  readonly firstName: string;
  readonly lastName: string;
  readonly fullName: string;
  readonly email: string;
  readonly homeCity: City;
  readonly workCity: City;
  readonly channelId: string;
  readonly channelTitle: string;
  readonly phone: string;
  /** When the account was created: nothing of this user is older. */
  readonly createdMs: number;
}

export function userProfile(userSeed: number): UserProfile {
  const rng = new Rng(mix32(userSeed, 0x75736572));
  const firstName = rng.pick(FIRST_NAMES);
  const lastName = rng.pick(LAST_NAMES);
  const homeCity = rng.pick(CITIES);
  const workCity = rng.chance(0.8) ? homeCity : rng.pick(CITIES);
  const handle = `${firstName}.${lastName}`.toLowerCase().replace(/[^a-z.]/g, '');
  return {
    firstName,
    lastName,
    fullName: `${firstName} ${lastName}`,
    email: `${handle}${rng.between(1, 99)}@gmail.com`,
    homeCity,
    workCity,
    channelId: `UC${rng.chars(BASE64URL, 22)}`,
    channelTitle: `${firstName} ${lastName}`,
    phone: `${homeCity.phonePrefix} ${rng.between(100, 999)} ${rng.between(1000, 9999)}`,
    createdMs: TIMELINE_START_MS + rng.int(2 * 365 * 86_400) * 1000 + rng.int(1000),
  };
}

/** A city the user is in: usually home, sometimes a trip. */
export function cityFor(rng: Rng, profile: UserProfile): City {
  const r = rng.float();
  if (r < 0.7) return profile.homeCity;
  if (r < 0.85) return profile.workCity;
  return rng.pick(CITIES);
}

export function round7(value: number): number {
  return Math.round(value * 1e7) / 1e7;
}

export interface Place {
  readonly name: string;
  readonly kind: string;
  readonly address: string;
  readonly city: City;
  readonly lat: number;
  readonly lng: number;
  /** Maps' decimal place id, as in `http://maps.google.com/?cid=…`. */
  readonly cid: string;
  /** Maps' feature id, as in `…/data=!4m2!3m1!1s0x…:0x…`. */
  readonly featureId: string;
  readonly cidUrl: string;
  readonly placeUrl: string;
}

export function makePlace(rng: Rng, city: City): Place {
  const kind = rng.pick(BUSINESS_KINDS);
  const base = rng.pick(BUSINESS_NAMES);
  const name = rng.chance(0.5) ? `${base} ${kind}` : `${kind} ${base}`;
  const address = `${rng.pick(city.streets)} ${rng.between(1, 240)}, ${city.postcode} ${city.name}, ${city.country}`;
  const lat = round7(city.lat + (rng.float() - 0.5) * 0.08);
  const lng = round7(city.lng + (rng.float() - 0.5) * 0.12);
  const cid = `${rng.between(1, 18)}${String(rng.next()).padStart(10, '0')}${String(rng.int(1e8)).padStart(8, '0')}`;
  const featureId = `0x${rng.chars(HEX, 16)}:0x${rng.chars(HEX, 16)}`;
  return {
    name,
    kind,
    address,
    city,
    lat,
    lng,
    cid,
    featureId,
    cidUrl: `http://maps.google.com/?cid=${cid}`,
    placeUrl: `https://www.google.com/maps/place//data=!4m2!3m1!1s${featureId}`,
  };
}

/** The user's home and work addresses, the same in every group that mentions them. */
export function homeAndWork(userSeed: number): { home: Place; work: Place } {
  const profile = userProfile(userSeed);
  const rng = new Rng(mix32(userSeed, 0x686f6d65));
  return { home: makePlace(rng, profile.homeCity), work: makePlace(rng, profile.workCity) };
}

/** A user's places: mostly around home, as someone's saved and reviewed places are. */
export function placePool(seed: number, profile: UserProfile, size = 256): Pool<Place> {
  return makePool(seed, size, (rng) => makePlace(rng, cityFor(rng, profile)));
}

export interface Channel {
  readonly id: string;
  readonly title: string;
  readonly url: string;
}

export function channelPool(seed: number, size = 64): Pool<Channel> {
  return makePool(seed ^ 0x63686e6c, size, (rng) => {
    const id = `UC${rng.chars(BASE64URL, 22)}`;
    return {
      id,
      title: `${rng.pick(CHANNEL_ADJECTIVES)} ${rng.pick(CHANNEL_NOUNS)}`,
      url: `https://www.youtube.com/channel/${id}`,
    };
  });
}

export interface Video {
  readonly id: string;
  readonly title: string;
  readonly url: string;
  readonly channel: Channel;
  readonly durationMs: number;
}

export function videoTitle(rng: Rng): string {
  const topic = rng.pick(VIDEO_TOPICS);
  const template = rng.pick(VIDEO_TEMPLATES);
  return template.replace('{x}', topic).replace('{X}', topic.charAt(0).toUpperCase() + topic.slice(1));
}

export function videoPool(seed: number, channels: Pool<Channel>, size = 1024): Pool<Video> {
  return makePool(seed ^ 0x76696465, size, (rng) => {
    const id = rng.chars(BASE64URL, 11);
    return {
      id,
      title: videoTitle(rng),
      url: `https://www.youtube.com/watch?v=${id}`,
      channel: channels.pick(rng),
      durationMs: rng.between(45, 3600) * 1000 + rng.int(1000),
    };
  });
}

export function searchQuery(rng: Rng): string {
  const qualifier = rng.pick(QUERY_QUALIFIERS);
  const subject = rng.pick(QUERY_SUBJECTS);
  return qualifier ? `${subject} ${qualifier}` : subject;
}

/** `a b c` -> `a+b+c`, with the few characters our vocabulary has escaped as a browser would. */
export function queryParam(text: string): string {
  return encodeURIComponent(text).replace(/%20/g, '+');
}

/** YouTube comment ids: 26 characters ending in the `AaABAg` every top-level id ends with. */
export function commentId(rng: Rng): string {
  return `Ug${rng.pick(['x', 'w', 'z', 'y'])}${rng.chars(BASE64URL, 17)}4AaABAg`;
}

/** A price as Google Play prints it, e.g. `€4.99`. */
export function euros(cents: number): string {
  return `€${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`;
}
