/**
 * Google Nest groups, added to Google's catalog after the seed's list. Google's schema reference
 * (developers.google.com/data-portability/schema-reference/nest) names what each group holds and its formats
 * (user: JSON; store: JSON; camera events: JSON with MP4 clips and JPG images; camera features: JSON; camera
 * video: MP4) but no public sample archive shows the files, so the records follow the names Google uses for the
 * same things in its public Smart Device Management API (`sdm.devices.types.CAMERA`,
 * `sdm.devices.events.CameraPerson.Person`, trait names). See docs/demo-data.md.
 */
import { JSON_ARRAY, bytesFile, listFile, objectFile, settingsChangedMs, type DemoFile, type GroupSpec } from './group-spec.js';
import { euros, userProfile } from './entities.js';
import { recordJpeg } from './jpeg.js';
import { demoMp4 } from './mp4.js';
import { Rng, mix32, rfc3339, rfc3339Seconds } from './timeline.js';
import { HEX } from './vocab.js';

interface NestDevice {
  readonly id: string;
  readonly type: string;
  readonly model: string;
  readonly room: string;
  readonly isCamera: boolean;
}

const DEVICE_MODELS = [
  { type: 'sdm.devices.types.CAMERA', model: 'Google Nest Cam (outdoor or indoor, battery)', camera: true },
  { type: 'sdm.devices.types.DOORBELL', model: 'Google Nest Doorbell (battery)', camera: true },
  { type: 'sdm.devices.types.CAMERA', model: 'Google Nest Cam (indoor, wired)', camera: true },
  { type: 'sdm.devices.types.THERMOSTAT', model: 'Google Nest Learning Thermostat', camera: false },
  { type: 'sdm.devices.types.DISPLAY', model: 'Google Nest Hub Max', camera: true },
] as const;
const ROOMS = ['Front door', 'Backyard', 'Living room', 'Garage', 'Hallway', 'Kitchen', 'Driveway'];

/** The user's home and its devices: the same for every Nest group of a user. */
function nestHome(userSeed: number): { structureId: string; name: string; devices: NestDevice[] } {
  const rng = new Rng(mix32(userSeed, 0x6e657374));
  const id = (): string => rng.chars(HEX, 32);
  const devices: NestDevice[] = [];
  const count = rng.between(2, 4);
  for (let i = 0; i < count; i++) {
    // The first two are always cameras, so every user has camera events and video.
    const m = i < 2 ? DEVICE_MODELS[i]! : rng.pick(DEVICE_MODELS);
    devices.push({ id: id(), type: m.type, model: m.model, room: ROOMS[(i * 3 + rng.int(2)) % ROOMS.length]!, isCamera: m.camera });
  }
  return { structureId: id(), name: 'Home', devices };
}

function cameras(userSeed: number): NestDevice[] {
  return nestHome(userSeed).devices.filter((d) => d.isCamera);
}

const nestUser: GroupSpec = {
  spanDays: 365,
  shape: 'single',
  files(ctx) {
    const profile = userProfile(ctx.userSeed);
    const home = nestHome(ctx.userSeed);
    const rng = new Rng(mix32(ctx.seed, 0x75736572));
    return [
      objectFile('Nest/User/User.json', {
        name: profile.fullName,
        email: profile.email,
        profilePictureUrl: `https://lh3.googleusercontent.com/a/${rng.chars(HEX, 24)}`,
        homes: [
          {
            structureId: home.structureId,
            name: home.name,
            address: `${profile.homeCity.streets[0]} ${rng.between(1, 120)}, ${profile.homeCity.postcode} ${profile.homeCity.name}`,
            timeZone: 'Europe/Amsterdam',
            devices: home.devices.map((d) => ({ deviceId: d.id, type: d.type, model: d.model, room: d.room, customName: d.room })),
          },
        ],
        createTime: rfc3339(Math.max(profile.createdMs, ctx.nowMs - 3 * 365 * 86_400_000)),
        updateTime: rfc3339(settingsChangedMs(ctx)),
      }),
    ];
  },
};

const STORE_ITEMS = [
  ['Google Nest Cam (battery)', 17999],
  ['Google Nest Doorbell (battery)', 17999],
  ['Google Nest Learning Thermostat', 27999],
  ['Google Nest Hub Max', 22999],
  ['Nest Cam stand', 2999],
] as const;

const nestStore: GroupSpec = {
  spanDays: 5 * 365,
  shape: 'list',
  files(ctx) {
    const profile = userProfile(ctx.userSeed);
    const address = {
      recipient: profile.fullName,
      addressLines: [`${profile.homeCity.streets[0]} 12`],
      locality: profile.homeCity.name,
      postalCode: profile.homeCity.postcode,
      regionCode: profile.homeCity.countryCode,
    };
    const orders = listFile(ctx, 'Nest/Store/Orders.json', JSON_ARRAY, (_k, ms, rng) => {
      let total = 0;
      const items = Array.from({ length: rng.between(1, 2) }, () => {
        const [name, cents] = rng.pick(STORE_ITEMS);
        total += cents;
        return { name, quantity: 1, price: euros(cents) };
      });
      return {
        orderId: `GS.${rng.between(1000, 9999)}-${rng.between(1000, 9999)}-${rng.between(1000, 9999)}-${rng.between(10000, 99999)}`,
        orderTime: rfc3339(ms),
        status: rng.pick(['DELIVERED', 'DELIVERED', 'DELIVERED', 'RETURNED', 'CANCELLED']),
        items,
        total: euros(total),
        shippingAddress: address,
      };
    });
    const rng = new Rng(mix32(ctx.seed, 0x70617920));
    const profileFile = objectFile('Nest/Store/Payment and subscriptions.json', {
      contact: { name: profile.fullName, email: profile.email, phone: profile.phone },
      billingAddress: address,
      shippingAddresses: [address],
      paymentMethods: [
        {
          type: 'CARD',
          network: rng.pick(['VISA', 'MASTERCARD']),
          lastFourDigits: String(rng.between(1000, 9999)),
          expiration: `${String(rng.between(1, 12)).padStart(2, '0')}/${rng.between(27, 31)}`,
        },
      ],
      subscriptions: [
        { name: rng.pick(['Google Home Premium', 'Nest Aware', 'Nest Aware Plus']), status: 'ACTIVE', startTime: rfc3339(settingsChangedMs(ctx)) },
      ],
    });
    return [orders, profileFile];
  },
};

const EVENT_TYPES = [
  'sdm.devices.events.CameraMotion.Motion',
  'sdm.devices.events.CameraPerson.Person',
  'sdm.devices.events.CameraPerson.Person',
  'sdm.devices.events.CameraSound.Sound',
  'sdm.devices.events.CameraClipPreview.ClipPreview',
  'sdm.devices.events.DoorbellChime.Chime',
];

/** How many of the newest events and videos come with their MP4/JPG files; older ones are past retention. */
const NEST_MEDIA_FILES = 3;

function mediaName(camera: NestDevice, ms: number, extension: string): string {
  return `${camera.room.replace(/ /g, '_')}_${rfc3339Seconds(ms).replace(/[-:]/g, '').replace('Z', '')}.${extension}`;
}

const cameraEvent: GroupSpec = {
  spanDays: 90,
  shape: 'list',
  files(ctx) {
    const cams = cameras(ctx.userSeed);
    const withMedia = (k: number): boolean => k > ctx.window.newestK - NEST_MEDIA_FILES;
    const describe = (k: number, ms: number, rng: Rng) => {
      const camera = cams[rng.int(cams.length)]!;
      const type = rng.pick(EVENT_TYPES);
      const durationMs = rng.between(4, 30) * 1000;
      return {
        camera,
        type,
        durationMs,
        clip: mediaName(camera, ms, 'mp4'),
        image: mediaName(camera, ms, 'jpg'),
        media: withMedia(k),
        eventId: rng.chars(HEX, 32),
      };
    };
    const events = listFile(ctx, 'Nest/Camera events/Camera events.json', JSON_ARRAY, (k, ms, rng) => {
      const e = describe(k, ms, rng);
      return {
        eventId: e.eventId,
        eventType: e.type,
        deviceId: e.camera.id,
        deviceName: e.camera.room,
        startTime: rfc3339(ms),
        endTime: rfc3339(ms + e.durationMs),
        ...(e.media ? { clip: e.clip, image: e.image } : {}),
      };
    });
    const files: DemoFile[] = [events];
    for (const { k, ms, e } of ctx.window.newest(NEST_MEDIA_FILES).map((k, ms, rng) => ({ k, ms, e: describe(k, ms, rng) }))) {
      files.push(bytesFile(`Nest/Camera events/${e.clip}`, demoMp4(ms, e.durationMs)));
      files.push(bytesFile(`Nest/Camera events/${e.image}`, recordJpeg(ctx.seed, k)));
    }
    return files;
  },
};

const cameraFeature: GroupSpec = {
  spanDays: 365,
  shape: 'single',
  files(ctx) {
    const rng = new Rng(mix32(ctx.seed, 0x66656174));
    return [
      objectFile('Nest/Camera features/Camera features.json', {
        cameras: cameras(ctx.userSeed).map((camera) => ({
          deviceId: camera.id,
          deviceName: camera.room,
          model: camera.model,
          maxZoom: rng.pick([4, 6, 8]),
          mediaQuality: rng.pick(['HIGH', 'MEDIUM', 'LOW']),
          nightVision: rng.pick(['AUTO', 'ALWAYS_ON', 'OFF']),
          microphoneEnabled: rng.chance(0.8),
          statusLightBrightness: rng.pick(['HIGH', 'LOW', 'OFF']),
          activityZones: Array.from({ length: rng.between(0, 2) }, (_, i) => ({ name: ['Porch', 'Street', 'Garden'][i], id: rng.between(100000, 999999) })),
          videoHistoryEnabled: rng.chance(0.9),
        })),
        updateTime: rfc3339(settingsChangedMs(ctx)),
      }),
    ];
  },
};

const cameraVideo: GroupSpec = {
  spanDays: 30,
  shape: 'list',
  files(ctx) {
    const cams = cameras(ctx.userSeed);
    const withMedia = (k: number): boolean => k > ctx.window.newestK - NEST_MEDIA_FILES;
    const describe = (k: number, ms: number, rng: Rng) => {
      const camera = cams[rng.int(cams.length)]!;
      return { camera, durationMs: rng.between(1, 10) * 60_000, fileName: mediaName(camera, ms, 'mp4'), media: withMedia(k) };
    };
    // The index of recorded footage; only the newest clips are still held (non-subscription footage lasts 3 hours).
    const index = listFile(ctx, 'Nest/Camera video/Recordings.json', JSON_ARRAY, (k, ms, rng) => {
      const v = describe(k, ms, rng);
      return {
        deviceId: v.camera.id,
        deviceName: v.camera.room,
        startTime: rfc3339(ms),
        endTime: rfc3339(ms + v.durationMs),
        ...(v.media ? { file: v.fileName } : {}),
      };
    });
    const files: DemoFile[] = [index];
    for (const { ms, v } of ctx.window.newest(NEST_MEDIA_FILES).map((k, ms, rng) => ({ ms, v: describe(k, ms, rng) }))) {
      files.push(bytesFile(`Nest/Camera video/${v.fileName}`, demoMp4(ms, v.durationMs)));
    }
    return files;
  },
};

export const nestGroups: Readonly<Record<string, GroupSpec>> = {
  'nest.camera_event': cameraEvent,
  'nest.camera_feature': cameraFeature,
  'nest.camera_video': cameraVideo,
  'nest.store': nestStore,
  'nest.user': nestUser,
};
